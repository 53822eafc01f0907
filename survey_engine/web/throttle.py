"""Login throttling: too many failed sign-ins for one account, or from one address, within a
window refuse further sign-ins there until the window has passed, whether the next password
is right or not. Counted in the database, so every web process sees the same counts.

A successful sign-in clears its account's failures (not its address's: one correct password
from a workstation does not excuse many wrong ones for other accounts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dialer.models import LoginFailure


@dataclass(frozen=True)
class Limits:
    """How many failures are allowed per account and per address within ``window``."""

    per_account: int
    per_address: int
    window: dt.timedelta


def account_key(kind: str, name: str) -> str:
    """How an account is counted, known or not: ``user:LOGIN`` or ``agent:CODE``."""
    return f"{kind}:{name.strip().lower()}"[:80]


def throttled(session: Session, account: str, address: str, limits: Limits,
              now: dt.datetime) -> bool:
    """Whether sign-in is refused for ``account`` or from ``address`` now."""
    since = now - limits.window
    per_account = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.account == account, LoginFailure.at > since)) or 0
    if per_account >= limits.per_account:
        return True
    per_address = session.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address == address, LoginFailure.at > since)) or 0
    return per_address >= limits.per_address


def record_failure(session: Session, account: str, address: str, now: dt.datetime) -> None:
    """Count one failed sign-in."""
    session.add(LoginFailure(account=account, address=address[:64], at=now))
    session.flush()


def clear_failures(session: Session, account: str) -> None:
    """Forget an account's failures after it signed in."""
    session.execute(delete(LoginFailure).where(LoginFailure.account == account))
