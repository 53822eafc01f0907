"""What results needs from the centre file: a client's language, and the contact fields a
campaign's exports may carry (none by default; declared fields only; never a phone number)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from dialer.centre_file import load_centre
from dialer.models import Campaign, Client
from tests.dialer.test_centre_file import VALID, codes, line_of, refused, write


def test_defaults_export_no_contact_data_and_speak_english(session: Session,
                                                          tmp_path: Path) -> None:
    load_centre(session, write(tmp_path, VALID))
    campaign = session.scalars(select(Campaign)).one()
    assert campaign.export_contact_fields == []
    assert campaign.client.language == "en"


def test_listed_fields_and_the_language_are_stored(session: Session, tmp_path: Path) -> None:
    text = VALID.replace("{code: T-CL, name: Test client}",
                         "{code: T-CL, name: Test client, language: nl}")
    load_centre(session, write(tmp_path, text + "    export_contact_fields: [postcode]\n"))
    assert session.scalars(select(Campaign)).one().export_contact_fields == ["postcode"]
    assert session.scalars(select(Client)).one().language == "nl"


def test_a_language_the_product_does_not_speak_is_refused(session: Session,
                                                          tmp_path: Path) -> None:
    text = VALID.replace("{code: T-CL, name: Test client}",
                         "{code: T-CL, name: Test client, language: xx}")
    path = write(tmp_path, text)
    assert (line_of(path, "language: xx"), "client_language") in codes(refused(session, path))


def test_undeclared_and_phone_fields_are_refused_on_their_key(session: Session,
                                                              tmp_path: Path) -> None:
    path = write(tmp_path, VALID + "    export_contact_fields: [postcode, email]\n")
    error = refused(session, path)
    assert codes(error) == [(line_of(path, "export_contact_fields"), "export_contact_fields")]
    assert "email" in str(error)
    phone = write(tmp_path, VALID + "    export_contact_fields: [phone]\n", "phone.yaml")
    error = refused(session, phone)
    assert codes(error) == [(line_of(phone, "export_contact_fields"), "export_contact_fields")]
    assert "never leave" in str(error)
    assert session.scalars(select(Campaign)).all() == []
