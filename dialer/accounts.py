"""Operations on sign-in records: staff and client accounts, agents' PINs, workstations.

Every function flushes and never commits (STYLE 4). Secrets arrive in clear or as argon2id
hashes and are stored hashed (:mod:`dialer.passwords`).
"""

from __future__ import annotations

import ipaddress
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.errors import DialerError
from dialer.models import Agent, AgentPin, Client, Role, Site, User, Workstation, utc_now
from dialer.passwords import check_hash, check_password, check_pin, hash_secret

LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")
#: Roles a user account may have (agents sign in with their code and PIN instead).
USER_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.CLIENT)


def check_login(login: str) -> str:
    """``login`` if it is 2 to 60 lower-case letters, digits, ``.``, ``_`` or ``-``.

    :raises DialerError: ``login``.
    """
    if not LOGIN.fullmatch(login):
        raise DialerError("login", f"login {login!r}: 2 to 60 lower-case letters, digits, "
                                   "'.', '_' or '-', starting with a letter or digit")
    return login


def stored_secret(secret: str | None, secret_hash: str | None, *, pin: bool) -> str:
    """The hash to store for a secret given in clear or already hashed (exactly one).

    :raises DialerError: ``pin``, ``password`` or ``password_hash``.
    """
    if (secret is None) == (secret_hash is None):
        what = "pin or pin_hash" if pin else "password or password_hash"
        raise DialerError("pin" if pin else "password", f"give {what}, one of them")
    if secret_hash is not None:
        return check_hash(secret_hash)
    assert secret is not None
    return hash_secret(check_pin(secret) if pin else check_password(secret))


def create_user(session: Session, login: str, role: Role, password_hash: str, *,
                site: Site | None = None, client: Client | None = None,
                interface_language: str = "en") -> User:
    """A new account. A supervisor belongs to a site, a client's person to a client, and
    nobody else to either.

    :raises DialerError: ``login``, ``role``, ``site`` or ``client``, ``exists``.
    """
    check_login(login)
    if role not in USER_ROLES:
        raise DialerError("role", f"user {login}: the role is one of "
                                  f"{', '.join(r.value for r in USER_ROLES)} (agents sign in "
                                  "with their code and PIN)")
    if (role is Role.SUPERVISOR) != (site is not None):
        raise DialerError("site", f"user {login}: a supervisor, and only a supervisor, "
                                  "belongs to a site")
    if (role is Role.CLIENT) != (client is not None):
        raise DialerError("client", f"user {login}: a client's account, and only one, "
                                    "belongs to a client")
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise DialerError("exists", f"user {login!r} already exists")
    user = User(login=login, role=role, password_hash=password_hash,
                site_id=site.id if site else None, client_id=client.id if client else None,
                interface_language=interface_language, created_at=utc_now())
    session.add(user)
    session.flush()
    return user


def set_agent_pin(session: Session, agent: Agent, pin_hash: str) -> AgentPin:
    """Give ``agent`` a PIN (its hash), replacing any earlier one."""
    row = session.get(AgentPin, agent.id)
    if row is None:
        row = AgentPin(agent_id=agent.id, pin_hash=pin_hash, changed_at=utc_now())
        session.add(row)
    else:
        row.pin_hash, row.changed_at = pin_hash, utc_now()
    session.flush()
    return row


def check_network(text: str) -> str:
    """An address or a network in CIDR notation, normalized (``10.17.0.0/24``, ``::1``).

    :raises DialerError: ``workstation``.
    """
    try:
        network = ipaddress.ip_network(text.strip(), strict=True)
    except ValueError as error:
        raise DialerError("workstation", f"{text!r} is not an address or a network "
                                         f"(10.17.0.21, 10.17.0.0/24): {error}") from None
    single = network.num_addresses == 1
    return str(network.network_address) if single else str(network)


def add_workstation(session: Session, site: Site, address_or_network: str) -> Workstation:
    """Allow the site's agents to sign in from an address or network (idempotent).

    :raises DialerError: ``workstation``.
    """
    network = check_network(address_or_network)
    row = session.scalars(select(Workstation).where(
        Workstation.site_id == site.id, Workstation.network == network)).one_or_none()
    if row is None:
        row = Workstation(site_id=site.id, network=network)
        session.add(row)
        session.flush()
    return row


def workstation_allowed(session: Session, site_id: int, address: str) -> bool:
    """Whether ``address`` is one of the site's workstations (or in one of its networks)."""
    try:
        where = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(where, ipaddress.IPv6Address) and where.ipv4_mapped is not None:
        where = where.ipv4_mapped
    return any(where in ipaddress.ip_network(network) for network in session.scalars(
        select(Workstation.network).where(Workstation.site_id == site_id)))
