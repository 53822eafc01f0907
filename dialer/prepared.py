"""Core statements compiled once per database and run on the driver's cursor.

A call runs about a dozen small statements (the claim, the dial's checks, the writes of its
attempt and contact, the trace). Run through ``Connection.execute``, each one is looked up in
SQLAlchemy's compiled cache by a key that is hashed again at every execution (the claim's
key is a tuple of a thousand elements), and every one of its parameters is gathered and
converted one by one: in the simulator that costs several times the statement itself
(docs/benchmarks.md). A :class:`Prepared` statement does that work once per dialect: it keeps
the compiled SQL, the order of its parameters, their fixed values and the type conversions
they need.

It then runs on a cursor of the connection's driver, in the connection's transaction (begun
first, as ``Connection.execute`` would). Even ``Connection.exec_driver_sql`` sets up an
execution context and a cursor result per statement, about a fifth of a simulated call;
here the rows come back in a plain :class:`~sqlalchemy.engine.IteratorResult`, and a driver
error is raised as SQLAlchemy raises it (``IntegrityError``..., the connection invalidated on a
disconnect). Whenever something watches the connection's statements (echo or the
``sqlalchemy.engine`` log at INFO, listeners of the cursor events or of ``handle_error``), the
statement runs through ``exec_driver_sql`` instead, so that they see it.

Only plain statements qualify: no expanding ``IN`` lists nor other parameters rendered at
execution time, and no column left to a default computed in Python (refused when the statement
is first compiled for a dialect). Result rows come back with the driver's values, or, through
:meth:`Prepared.rows`, as tuples converted by their columns' types, in the order of the
statement's columns.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, Executable, Table, bindparam
from sqlalchemy.engine import Dialect, IteratorResult, Result
from sqlalchemy.engine.result import SimpleResultMetaData
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

_Processor = Callable[[Any], Any]
_DriverParameters = tuple[Any, ...] | dict[str, Any]
_ENGINE_LOG = logging.getLogger("sqlalchemy.engine.Engine")
_NO_COLUMNS = SimpleResultMetaData(())


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for one dialect, with what its execution needs."""

    sql: str
    #: Parameter names in the order of the SQL's placeholders (positional drivers), or None.
    order: tuple[str, ...] | None
    #: The parameters the caller gives: name, the key it is given by, its type's conversion
    #: to the driver's value (None when there is none).
    given: tuple[tuple[str, str, _Processor | None], ...]
    #: Parameter name -> the value written into the statement (``.values(phase=1)``...),
    #: converted already.
    fixed: Mapping[str, Any]
    #: The conversion of each result column from the driver's value, None where there is none.
    result_processors: tuple[_Processor | None, ...]
    #: Parameter name -> the name it has in the SQL, where the dialect had to escape it.
    escaped: Mapping[str, str]


class Prepared:
    """A Core statement to run many times with different parameters; see the module."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[object, ...], _Plan] = {}

    def execute(self, connection: Connection,
                parameters: Mapping[str, Any] | Sequence[Mapping[str, Any]]
                ) -> Result[*tuple[Any, ...]]:
        """Run the statement with ``parameters`` (one mapping, or a sequence of them for an
        ``executemany``) in ``connection``'s transaction; its rows, with the driver's values.

        :raises KeyError: when a parameter the statement needs is not given.
        :raises sqlalchemy.exc.DBAPIError: (its subclasses) when the database refuses it.
        """
        plan = self._plan(connection.dialect)
        values: _DriverParameters | list[_DriverParameters]
        if isinstance(parameters, Mapping):
            values = _driver_parameters(plan, parameters)
        else:
            values = [_driver_parameters(plan, each) for each in parameters]
        if _watched(connection):
            return connection.exec_driver_sql(plan.sql, values)
        return _run_on_cursor(connection, plan.sql, values)

    def rows(self, connection: Connection, parameters: Mapping[str, Any]
             ) -> list[tuple[Any, ...]]:
        """The statement's result rows, each value converted by its column's type."""
        plan = self._plan(connection.dialect)
        result = self.execute(connection, parameters)
        processors = plan.result_processors
        return [tuple(value if convert is None else convert(value)
                      for convert, value in zip(processors, row, strict=True))
                for row in result.fetchall()]

    def _plan(self, dialect: Dialect) -> _Plan:
        # What the compiled SQL depends on: the database, its driver's placeholders and the
        # server's version (which features the SQL may use).
        key = (dialect.name, dialect.driver, dialect.paramstyle, dialect.server_version_info)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = _compile(self.statement, dialect)
        return plan


def column_parameters(table: Table, columns: Sequence[str], prefix: str = ""
                      ) -> dict[str, BindParameter[Any]]:
    """A parameter ``<prefix><column>`` for each of ``columns``, typed as the column, for
    ``insert(table).values(...)`` or ``update(table).values(...)``: a prepared statement
    converts each value by its column's type."""
    return {column: bindparam(f"{prefix}{column}", type_=table.c[column].type)
            for column in columns}


def _compile(statement: Executable, dialect: Dialect) -> _Plan:
    assert isinstance(statement, ClauseElement)
    compiled = statement.compile(dialect=dialect)
    assert isinstance(compiled, SQLCompiler)
    if compiled.literal_execute_params or compiled.post_compile_params:
        raise ValueError("a prepared statement cannot hold parameters rendered at execution "
                         f"(expanding lists, literal_execute): {compiled.string[:80]}")
    computed = [*compiled.insert_prefetch, *compiled.update_prefetch]
    if computed:  # Connection.execute would compute them; here they would be left NULL
        raise ValueError("a prepared statement must give the columns whose defaults are "
                         f"computed in Python: {', '.join(str(c) for c in computed)}")
    given: list[tuple[str, str, _Processor | None]] = []
    fixed: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        if bind.callable is not None:
            raise ValueError(f"a prepared statement cannot hold a parameter computed at "
                             f"execution ({bind.key})")
        convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if bind.required:
            given.append((name, bind.key, convert))
        else:
            fixed[name] = bind.value if convert is None else convert(bind.value)
    columns = getattr(statement, "exported_columns", ())
    result_processors = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
    order = tuple(compiled.positiontup or ()) if compiled.positional else None
    return _Plan(compiled.string, order, tuple(given), fixed, result_processors,
                 dict(compiled.escaped_bind_names or {}))


def _driver_parameters(plan: _Plan, parameters: Mapping[str, Any]) -> _DriverParameters:
    values = dict(plan.fixed)
    for name, key, convert in plan.given:
        value = parameters[key]
        values[name] = value if convert is None else convert(value)
    if plan.order is None:
        return {plan.escaped.get(name, name): value for name, value in values.items()} \
            if plan.escaped else values
    return tuple(values[name] for name in plan.order)


def _watched(connection: Connection) -> bool:
    """Whether something watches the statements run on ``connection`` (see the module)."""
    dispatch = connection.dispatch
    return bool(connection.engine.echo or _ENGINE_LOG.isEnabledFor(logging.INFO)
                or dispatch.before_cursor_execute or dispatch.after_cursor_execute
                or connection.dialect.dispatch.handle_error)


def _run_on_cursor(connection: Connection, sql: str,
                   values: _DriverParameters | list[_DriverParameters]
                   ) -> Result[*tuple[Any, ...]]:
    """``sql`` run on a cursor of ``connection``'s driver, in its transaction; its rows."""
    if not connection.in_transaction():
        connection.begin()  # as Connection.execute begins one (and the begin events run)
    dialect = connection.dialect
    driver_connection = connection.connection.dbapi_connection
    assert driver_connection is not None
    cursor = driver_connection.cursor()
    try:
        if isinstance(values, list):
            each_row: Sequence[Any] = values  # all tuples or all mappings, as the plan says
            cursor.executemany(sql, each_row)
        else:
            cursor.execute(sql, values)
        columns = cursor.description
        rows = cursor.fetchall() if columns else []
    except dialect.loaded_dbapi.Error as error:
        lost = dialect.is_disconnect(error, driver_connection, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(sql, values, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=lost, dialect=dialect,
                                  ismulti=isinstance(values, list)) from error
    finally:
        cursor.close()
    names = _result_columns(tuple(column[0] for column in columns)) if columns else _NO_COLUMNS
    return IteratorResult(names, iter(rows))


@functools.lru_cache(maxsize=512)
def _result_columns(names: tuple[str, ...]) -> SimpleResultMetaData:
    """The result metadata of rows with these column names, made once (a few statements run
    all the time)."""
    return SimpleResultMetaData(names)
