"""Signing in, as operations the views call: check the throttle, the secret, and for agents
the workstation and the shift; then open a new server-side session.

The password or PIN is checked outside any transaction (argon2 takes a while on purpose and
must not hold SQLite's write lock); reading and writing are two short transactions. A refusal
is a :class:`SignInRefused` with a stable code; an unknown account, a wrong secret and an
inactive account are the same refusal (``wrong``), so accounts cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from dialer.accounts import workstation_allowed
from dialer.db import transaction, writer
from dialer.models import Agent, AgentPin, Role, Site, User
from dialer.passwords import hash_secret, needs_rehash, verify_secret
from dialer.windows import WeeklyShift, shift_end
from survey_engine.web import session_store, throttle
from survey_engine.web.session_store import Started
from survey_engine.web.throttle import Limits


class SignInRefused(Exception):
    """Sign-in refused: ``wrong`` (account or secret), ``throttled``, ``workstation`` (not an
    address of the agent's site), ``off_shift``. ``language`` is the agent's interface
    language once their PIN was right (so the refusal can be shown in it)."""

    def __init__(self, code: str, language: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.language = language


@dataclass(frozen=True)
class Account:
    """What is needed of an account to check a secret and open a session."""

    key: str
    principal_id: int | None
    secret_hash: str | None
    language: str | None = None
    site_id: int | None = None
    shifts: tuple[WeeklyShift, ...] = ()
    site_time_zone: str = "UTC"


def sign_in_user(engine: Engine, login: str, password: str, address: str, *, limits: Limits,
                 absolute: dt.timedelta, now: dt.datetime, replacing: str | None) -> Started:
    """Open a session for a supervisor, client or administrator.

    :raises SignInRefused: ``throttled`` or ``wrong``.
    """
    key = throttle.account_key("user", login)
    with transaction(engine) as session:
        _refuse_if_throttled(session, key, address, limits, now)
        user = session.scalars(select(User).where(
            User.login == login.strip().lower(), User.active)).one_or_none()
        account = Account(key, user.id if user else None, user.password_hash if user else None)
        role = user.role if user else Role.CLIENT
    _check_secret(engine, account, password, address, now)
    with transaction(writer(engine)) as session:
        throttle.clear_failures(session, key)
        row = session.get(User, account.principal_id)
        assert row is not None
        if needs_rehash(row.password_hash):
            row.password_hash = hash_secret(password)
        return session_store.start_session(session, role, user_id=row.id, address=address,
                                           now=now, expires_at=now + absolute,
                                           replacing=replacing)


def sign_in_agent(engine: Engine, code: str, pin: str, address: str, *, limits: Limits,
                  absolute: dt.timedelta, now: dt.datetime, replacing: str | None) -> Started:
    """Open a session for an agent at one of their site's workstations, on shift; it ends at
    the end of the shift (or after ``absolute``, if sooner). Any other session of the agent
    ends.

    :raises SignInRefused: ``throttled``, ``wrong``, ``workstation`` or ``off_shift``.
    """
    key = throttle.account_key("agent", code)
    allowed = False
    with transaction(engine) as session:
        _refuse_if_throttled(session, key, address, limits, now)
        agent = session.scalars(select(Agent).where(
            func.upper(Agent.code) == code.strip().upper(), Agent.active)).one_or_none()
        pin_row = session.get(AgentPin, agent.id) if agent is not None else None
        account = Account(key, agent.id if agent else None,
                          pin_row.pin_hash if pin_row else None)
        if agent is not None:
            site = session.get(Site, agent.site_id)
            assert site is not None
            account = Account(key, agent.id, account.secret_hash, agent.interface_language,
                              agent.site_id, tuple(WeeklyShift(s.weekday, s.start, s.end)
                                                   for s in agent.shifts), site.time_zone)
            allowed = workstation_allowed(session, agent.site_id, address)
    _check_secret(engine, account, pin, address, now)
    assert account.principal_id is not None and account.site_id is not None
    if not allowed:
        with transaction(writer(engine)) as session:
            throttle.record_failure(session, key, address, now)
        raise SignInRefused("workstation", account.language)
    ends = shift_end(account.shifts, account.site_time_zone, now)
    if ends is None:
        raise SignInRefused("off_shift", account.language)
    with transaction(writer(engine)) as session:
        throttle.clear_failures(session, key)
        session_store.end_sessions_of_agent(session, account.principal_id, "replaced", now)
        pin_row = session.get(AgentPin, account.principal_id)
        if pin_row is not None and needs_rehash(pin_row.pin_hash):
            pin_row.pin_hash = hash_secret(pin)
        return session_store.start_session(session, Role.AGENT,
                                           agent_id=account.principal_id, address=address,
                                           now=now, expires_at=min(ends, now + absolute),
                                           replacing=replacing)


def _refuse_if_throttled(session: Session, key: str, address: str, limits: Limits,
                         now: dt.datetime) -> None:
    if throttle.throttled(session, key, address, limits, now):
        raise SignInRefused("throttled")


def _check_secret(engine: Engine, account: Account, secret: str, address: str,
                  now: dt.datetime) -> None:
    """Verify the secret (the same work for unknown accounts); count a failure."""
    if verify_secret(account.secret_hash, secret) and account.principal_id is not None:
        return
    with transaction(writer(engine)) as session:
        throttle.record_failure(session, account.key, address, now)
    raise SignInRefused("wrong")
