"""Sign-ins in a centre file: accounts, agents' PINs and workstation addresses are loaded with
the rest (all or nothing), secrets only as argon2 hashes, and every mistake is reported on its
line; the sample gives the demo one sign-in per role."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.accounts import workstation_allowed
from dialer.centre_file import load_centre
from dialer.models import Agent, AgentPin, Role, Site, User, Workstation
from dialer.passwords import hash_secret, verify_secret
from tests.dialer.test_centre_file import SAMPLE, VALID, codes, line_of, refused, write

ACCOUNTS = VALID.replace('''    pay_currency: EUR
''', '''    pay_currency: EUR
    workstations: ["10.17.0.21", "10.17.1.0/24"]
''').replace('''    shifts: ["Mon-Fri 08:00-16:00"]
''', '''    shifts: ["Mon-Fri 08:00-16:00"]
    pin: "0427"
''') + '''users:
  - {login: t-admin, role: admin, password: "an admin passphrase"}
  - {login: t-sup, role: supervisor, site: T-SITE, password: "a supervisor pass",
     interface_language: nl}
  - {login: t-client, role: client, client: T-CL, password_hash: "HASH"}
'''


def test_accounts_pins_and_workstations_are_stored_hashed(session: Session,
                                                          tmp_path: Path) -> None:
    given_hash = hash_secret("a client's passphrase")
    summary = load_centre(session, write(tmp_path, ACCOUNTS.replace("HASH", given_hash)))
    assert (summary.users, summary.pins, summary.workstations) == (3, 1, 2)
    users = {user.login: user for user in session.scalars(select(User))}
    assert users["t-sup"].role is Role.SUPERVISOR and users["t-sup"].site_id is not None
    assert users["t-client"].client_id is not None and users["t-client"].site_id is None
    assert users["t-client"].password_hash == given_hash
    assert verify_secret(users["t-admin"].password_hash, "an admin passphrase")
    assert "passphrase" not in users["t-admin"].password_hash
    agent = session.scalars(select(Agent).where(Agent.code == "T-AG1")).one()
    pin = session.get(AgentPin, agent.id)
    assert pin is not None and pin.pin_hash.startswith("$argon2id$") and "0427" not in pin.pin_hash
    assert verify_secret(pin.pin_hash, "0427") and not verify_secret(pin.pin_hash, "427")
    site = session.scalars(select(Site)).one()
    assert sorted(session.scalars(select(Workstation.network))) == ["10.17.0.21",
                                                                    "10.17.1.0/24"]
    assert workstation_allowed(session, site.id, "10.17.1.200")
    assert workstation_allowed(session, site.id, "::ffff:10.17.0.21")
    assert not workstation_allowed(session, site.id, "10.17.0.22")
    assert not workstation_allowed(session, site.id, "not an address")


def test_every_mistake_is_reported_on_its_line_and_nothing_is_stored(
        session: Session, tmp_path: Path) -> None:
    text = (ACCOUNTS.replace('pin: "0427"', "pin: 427")
            .replace('"10.17.1.0/24"', '"10.17.1.0/33"')
            .replace('password: "an admin passphrase"', 'password: "short"')
            .replace("site: T-SITE, password", "site: NOWHERE, password")
            .replace('password_hash: "HASH"', 'password_hash: "$argon2id$broken"'))
    text += '''  - {login: t-admin, role: admin, password: "another passphrase"}
  - {login: t-orphan, role: supervisor, password: "a supervisor pass"}
  - {login: Bad Login, role: client, client: T-CL, password: "a good passphrase"}
'''
    path = write(tmp_path, text)
    error = refused(session, path)
    found = codes(error)
    expected = [(line_of(path, "pin: 427"), "unquoted_number"),
                (line_of(path, "10.17.1.0/33"), "workstation"),
                (line_of(path, '"short"'), "password"),
                (line_of(path, "NOWHERE"), "unknown_site"),
                (line_of(path, "$argon2id$broken"), "password_hash"),
                (line_of(path, "another passphrase"), "duplicate_login"),
                (line_of(path, "t-orphan"), "site"),
                (line_of(path, "Bad Login"), "login")]
    assert sorted(expected) == sorted(item for item in found if item in expected)
    assert all("short" not in diagnostic.message and "427" not in diagnostic.message
               for diagnostic in error.diagnostics), "secrets are never echoed"
    assert session.scalars(select(User)).first() is None
    assert session.scalars(select(AgentPin)).first() is None


def test_the_sample_gives_one_sign_in_per_role(session: Session) -> None:
    load_centre(session, SAMPLE)
    roles = {user.role for user in session.scalars(select(User))}
    assert roles == {Role.ADMIN, Role.SUPERVISOR, Role.CLIENT}
    agent = session.scalars(select(Agent).where(Agent.code == "BEV-055")).one()
    assert agent.interface_language == "ru"
    assert {spoken.language for spoken in agent.languages} >= {"tr", "ru"}
    pin = session.get(AgentPin, agent.id)
    assert pin is not None and verify_secret(pin.pin_hash, "4055")
    pins = session.scalars(select(AgentPin)).all()
    assert len(pins) == len(session.scalars(select(Agent)).all())
    for site in session.scalars(select(Site)):
        assert workstation_allowed(session, site.id, "127.0.0.1")
