"""Writing a loaded row's changed columns at once, past the ORM's unit of work.

A call changes its attempt, contact and interview rows at every step. Set as ORM attributes,
each change waits for a flush, and a flush costs far more than the statement it runs: it
works out what changed on every object the session holds and orders the writes (about
0.2 ms per row against 0.05 ms for the same UPDATE run directly, on the simulator's
profile; docs/benchmarks.md). :func:`write_row` runs the UPDATE by primary key at once and
records the values as the row's committed state, so the object reads as written and the unit
of work has nothing left to do for it. :func:`insert_row` does the same for a new row: one
``INSERT ... RETURNING id``, and the object joins the session as a row already stored.

Use :func:`write_row` for a row the session has loaded or flushed (persistent); a row still
pending is given the values as plain attributes, for its INSERT to carry. The tables are keyed
by an integer ``id`` (every call table is). The values are columns only (a relationship is set
the ORM's way), and nothing else may change those columns of the row through its attributes
in the same transaction without a flush first: the write would pass over the pending change.

A row changed at every step of a call and read by none of them, an interview's state at every
answer, is set with :func:`write_later`: the values are the row's at once, and they are written
with one UPDATE when something could read them from the database, before the session's next
statement (:func:`write_pending`, which :func:`dialer.db.execute_core` calls as it flushes; an
ORM statement) or at its commit.

The other way round, a statement that changes a row past the session calls :func:`forget_row`,
so the session's copy is read again before it is used; or, when the statement returns the whole
row (a claim's ``UPDATE ... RETURNING``), :func:`adopt_row`, so the session holds it as stored
without reading it again.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from sqlalchemy import Column, Connection, Table, bindparam, inspect
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy.orm import (
    Mapper,
    ORMExecuteState,
    Session,
    SessionTransaction,
    make_transient_to_detached,
)
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from dialer.models.base import Base
from dialer.prepared import Prepared, column_parameters

_Row = TypeVar("_Row", bound=Base)

#: The primary key's parameter in the statements; a column's value is ``value_<column>``
#: (SQLAlchemy keeps the columns' own names for itself in an UPDATE's SET clause).
_ROW_ID = "row_id"


def insert_row(session: Session, model: type[_Row], **values: Any) -> _Row:
    """A new ``model`` row with ``values`` (the other columns at their defaults), inserted now
    in ``session``'s transaction and held by the session as persistent, its id set."""
    table = _keyed_by_id(cast(Table, inspect(model).local_table))
    columns = {column.key: _default(column) for column in table.columns if column.key != "id"}
    unknown = set(values) - set(columns)
    if unknown:
        raise TypeError(f"{model.__name__} has no columns {sorted(unknown)}")
    columns.update(values)
    statement = _insert_statement(table, tuple(sorted(columns)))
    row_id = statement.execute(
        session.connection(), {f"value_{key}": value for key, value in columns.items()}
    ).scalar_one()
    row = model(id=row_id, **columns)
    make_transient_to_detached(row)  # every column given: nothing is left to load
    session.add(row)
    return row


def _keyed_by_id(table: Table) -> Table:
    if [column.key for column in table.primary_key] != ["id"]:
        raise TypeError(f"{table.name} is not keyed by an id column")
    return table


def _default(column: Column[Any]) -> Any:
    """The column's scalar Python default, else None (the models declare no other kind on
    the rows written here)."""
    default = column.default
    if default is None:
        return None
    if not getattr(default, "is_scalar", False):
        raise TypeError(f"{column} has a default that is not a plain value")
    return cast(Any, default).arg


def forget_row(session: Session, model: type, row_id: int) -> None:
    """Expire ``session``'s copy of the ``model`` row ``row_id``, if it holds one: a statement
    that bypassed the ORM (a claim's UPDATE) has just changed the row, and the next read of
    the object must come from the database."""
    held = session.identity_map.get(identity_key(model, row_id))
    if held is not None:
        session.expire(held)


def adopt_row(session: Session, model: type[_Row], values: Mapping[str, Any]) -> _Row:
    """The ``model`` row whose columns a statement past the session has just returned as
    ``values`` (every column, as stored), held by ``session`` as persistent and up to date: the
    copy it held is given the values as its stored state, or a new copy joins the session.

    Call it right after the statement, flushed before it, so that nothing is pending on the
    row: a change set on the copy and not yet flushed would be overwritten.
    """
    table = _keyed_by_id(cast(Table, inspect(model).local_table))
    missing = {column.key for column in table.columns} - set(values)
    if missing:
        raise TypeError(f"{model.__name__}: the statement did not return {sorted(missing)}")
    held = session.identity_map.get(identity_key(model, values["id"]))
    if held is not None:
        for key, value in values.items():
            set_committed_value(held, key, value)
        return held
    row = model(**values)
    make_transient_to_detached(row)  # every column given: nothing is left to load
    session.add(row)
    return row


def write_row(session: Session, row: Any, **values: Any) -> None:
    """Set ``values`` (column attributes of ``row``) and write them now, in ``session``'s
    transaction, with one ``UPDATE ... WHERE id = ...``."""
    if not values:
        return
    state = inspect(row)
    if not state.persistent:
        for key, value in values.items():
            setattr(row, key, value)
        return
    _update(session.connection(), row, values)
    for key, value in values.items():
        set_committed_value(row, key, value)


#: Key in ``Session.info`` of what :func:`write_later` has set and not written yet: the
#: connection of the session's transaction, and by identity key the row and its columns' values.
_LATER = "dialer.row_writes.later"
_Later = tuple[Connection, dict[Any, tuple[Any, dict[str, Any]]]]


def write_later(session: Session, row: Any, **values: Any) -> None:
    """Set ``values`` (column attributes of ``row``) now, and write them with the session's
    next statement or commit (see the module); the values set since the last write go out in
    one UPDATE. A row not yet stored takes them as plain attributes. In a savepoint they are
    written at once, so that rolling back to it undoes them; a savepoint begun while values
    wait writes them first, in the transaction around it."""
    if not values:
        return
    state = inspect(row)
    if not state.persistent or session.in_nested_transaction():
        write_row(session, row, **values)
        return
    unknown = values.keys() - _columns_keyed_by_id(state.mapper)  # refused now, not later
    if unknown:
        raise TypeError(f"{type(row).__name__} has no columns {sorted(unknown)}")
    for key, value in values.items():
        set_committed_value(row, key, value)
    later: _Later | None = session.info.get(_LATER)
    if later is None:
        later = session.info[_LATER] = (session.connection(), {})
    later[1].setdefault(state.key, (row, {}))[1].update(values)


@functools.cache
def _columns_keyed_by_id(mapper: Mapper[Any]) -> frozenset[str]:
    """The column attributes of a mapper whose table is keyed by ``id``."""
    _keyed_by_id(cast(Table, mapper.local_table))
    return frozenset(mapper.columns.keys())


@sqlalchemy_event.listens_for(Session, "before_commit")
def write_pending(session: Session) -> None:
    """Write what :func:`write_later` has set in ``session`` and not written yet."""
    later: _Later | None = session.info.pop(_LATER, None)
    if later is None:
        return
    connection, rows = later
    for row, values in rows.values():
        _update(connection, row, values)


@sqlalchemy_event.listens_for(Session, "do_orm_execute")
def _write_before_orm_statement(execute_state: ORMExecuteState) -> None:
    write_pending(execute_state.session)


@sqlalchemy_event.listens_for(Session, "after_transaction_create")
def _write_before_savepoint(session: Session, transaction: SessionTransaction) -> None:
    # The SAVEPOINT is not emitted yet: the rows go on the connection, in the transaction
    # around it.
    if transaction.nested:
        write_pending(session)


@sqlalchemy_event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the transaction ended (rolled back: its rows expired)
        session.info.pop(_LATER, None)


def _update(connection: Connection, row: Any, values: Mapping[str, Any]) -> None:
    """``UPDATE ... SET values WHERE id = <row's id>`` on ``connection``."""
    state = inspect(row)
    table = _keyed_by_id(state.mapper.local_table)
    statement = _update_statement(table, tuple(sorted(values)))
    parameters = {f"value_{key}": value for key, value in values.items()}
    parameters[_ROW_ID] = state.identity[0]
    statement.execute(connection, parameters)


@functools.cache
def _insert_statement(table: Table, columns: tuple[str, ...]) -> Prepared:
    """``INSERT INTO table (columns...) VALUES (:value_column...) RETURNING id``."""
    return Prepared(table.insert().values(column_parameters(table, columns, "value_"))
                    .returning(table.c.id))


@functools.cache
def _update_statement(table: Table, columns: tuple[str, ...]) -> Prepared:
    """``UPDATE table SET column = :value_column... WHERE id = :row_id``, built once per set
    of columns."""
    return Prepared(table.update().where(table.c.id == bindparam(_ROW_ID))
                    .values(column_parameters(table, columns, "value_")))
