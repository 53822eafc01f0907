"""Campaigns in the client portal over HTTP, on SQLite and PostgreSQL: created as drafts of
the questionnaire's client through the centre file's rules (each refusal on its field,
nothing created), contacts imported all or nothing with the report of every refused line,
the largest file taken, and the campaign's progress with its AAPOR counts."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dialer.db import transaction
from dialer.models import Campaign, CampaignState, Contact, ContactImport
from survey_engine.web import create_app
from tests.web.centre import WebCentre, app_config, csrf_of, sign_in
from tests.web.test_client_questionnaires import post_file

GOOD = {"code": "", "name": "Colours 2026", "languages": ["en", "fr"], "countries": "BE, NL",
        "number_types": ["mobile", "fixed_line"], "windows": "Mon-Fri 09:00-21:00\n"
        "Sat 10:00-18:00", "max_attempts": "5", "minimum_language_level": "working",
        "skip_public_holidays": "y", "dialing_mode": "preview", "max_call_minutes": "20",
        "no_answer_seconds": "40", "retry_delays": "busy: 20m\nno_answer: 3h",
        "export_contact_fields": ["postcode"]}
CONTACTS_HEADER = "phone,language,first_name,mobile,postcode\n"


def form_page(centre: WebCentre) -> str:
    return f"/client/questionnaires/{centre.questionnaires['mine']}/campaigns/new"


def create(client: FlaskClient, centre: WebCentre, **changes: Any) -> Any:
    page = form_page(centre)
    data = {**GOOD, **changes, "csrf_token": csrf_of(client.get(page).text)}
    return client.post(page, data=data)


def campaigns(centre: WebCentre) -> int:
    with transaction(centre.engine) as session:
        return session.scalar(select(func.count()).select_from(Campaign)) or 0


def field_errors(html: str, name: str) -> str:
    """The paragraph or fieldset of the form field ``name``, with its errors."""
    found = re.search(rf'(<p class="field"><label for="{name}".*?</p>|<fieldset><legend>'
                      rf'[^<]*</legend><ul id="{name}".*?</fieldset>)', html, re.S)
    assert found is not None, f"no field {name}"
    return found.group(1)


def test_every_refusal_is_shown_on_its_field_and_nothing_is_created(
        web_app: Flask, web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    before = campaigns(web_centre)
    response = create(client, web_centre, code="BAD 1", countries="BE",
                      windows="Mon-Fri 21:00-09:00\nSun 25:00-26:00", retry_delays="busy 15m")
    assert response.status_code == 422
    html = response.text
    assert "retry_delays" in html and "write &#39;name: delay&#39;" in \
        field_errors(html, "retry_delays")
    response = create(client, web_centre, code="BAD 1", windows="Mon-Fri 21:00-09:00\n"
                      "Sun 25:00-26:00")
    html = response.text
    assert response.status_code == 422
    assert "a code is 1 to 40 letters" in field_errors(html, "code")
    windows = field_errors(html, "windows")
    assert "line 1: a calling window cannot cross midnight" in windows
    assert "line 2: &#39;25:00&#39; is not a time" in windows
    for changes, name, said in (
            ({"countries": "BE, XX"}, "countries", "unknown or no countries [&#39;XX&#39;]"),
            ({"windows": "Mon-Fri 09:00-12:00\nMon 09:00-17:00"}, "windows",
             "line 2: windows[0] already starts on Mon at 09:00"),
            ({"retry_delays": "bussy: 15m"}, "retry_delays", "unknown retry key &#39;bussy&#39;"),
            ({"languages": ["en", "de"]}, "languages", "languages [&#39;de&#39;] are not"),
            ({"export_contact_fields": ["mobile"]}, "export_contact_fields",
             "phone numbers, which never leave the call centre"),
            ({"no_answer_seconds": "400"}, "no_answer_seconds", "from 5 to 300"),
    ):
        response = create(client, web_centre, code="REFUSED-1", **changes)
        assert response.status_code == 422, changes
        assert said in field_errors(response.text, name), (changes, response.text[-3000:])
    assert campaigns(web_centre) == before


def test_a_campaign_is_created_as_a_draft_of_the_questionnaires_client(
        web_app: Flask, web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    response = create(client, web_centre, code="COLOURS-2026")
    assert response.status_code == 302, response.text
    with transaction(web_centre.engine) as session:
        made = session.scalars(select(Campaign).where(Campaign.code == "COLOURS-2026")).one()
        mine = session.get(Campaign, web_centre.campaigns["mine"])
        assert mine is not None
        assert made.state is CampaignState.DRAFT
        assert made.client_id == mine.client_id
        assert (made.questionnaire_slug, made.questionnaire_version) == ("portal-survey", 1)
        assert made.languages == ["en", "fr"] and made.allowed_countries == ["BE", "NL"]
        assert made.allowed_number_types == ["mobile", "fixed_line"]
        assert sorted((w.weekday, f"{w.start:%H:%M}", f"{w.end:%H:%M}") for w in made.windows
                      )[-1] == (5, "10:00", "18:00")
        assert len(made.windows) == 6
        assert {rule.outcome: rule.delay_minutes for rule in made.retry_rules} == {
            "3.12": 20, "3.13": 180}
        assert (made.max_attempts, made.dialing_mode.value, made.max_call_minutes,
                made.no_answer_seconds, made.minimum_language_level.value,
                made.skip_public_holidays, made.export_contact_fields, made.priority) == (
            5, "preview", 20, 40, "working", True, ["postcode"], 0)
    assert response.headers["Location"].endswith(f"/client/campaigns/{made.id}")
    again = create(client, web_centre, code="COLOURS-2026")
    assert again.status_code == 422
    assert "There is a campaign with this code already." in field_errors(again.text, "code")
    assert sign_in(web_app, web_centre, "other_client").get(
        f"/client/campaigns/{made.id}").status_code == 404


def test_an_administrator_creates_the_campaign_for_the_questionnaires_client(
        web_app: Flask, web_centre: WebCentre) -> None:
    admin = sign_in(web_app, web_centre, "admin")
    theirs = web_centre.questionnaires["theirs"]
    page = f"/client/questionnaires/{theirs}/campaigns/new"
    response = admin.post(page, data={**GOOD, "code": "ADMIN-MADE",
                                      "csrf_token": csrf_of(admin.get(page).text)})
    assert response.status_code == 302
    with transaction(web_centre.engine) as session:
        made = session.scalars(select(Campaign).where(Campaign.code == "ADMIN-MADE")).one()
        other = session.get(Campaign, web_centre.campaigns["theirs"])
        assert other is not None and made.client_id == other.client_id


def new_campaign(client: FlaskClient, centre: WebCentre, code: str) -> int:
    response = create(client, centre, code=code)
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def import_file(client: FlaskClient, campaign_id: int, content: str, name: str = "list.csv"
                ) -> Any:
    page = f"/client/campaigns/{campaign_id}"
    return post_file(client, page, f"{page}/contacts", content.encode(), name)


def test_contacts_are_imported_all_or_none_with_the_report_of_refused_lines(
        web_app: Flask, web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    campaign_id = new_campaign(client, web_centre, "IMPORT-1")
    refused = import_file(client, campaign_id, CONTACTS_HEADER +
                          "+32 470 11 22 01,fr,Ana,+32470112201,1000\n"
                          "+32 470 11 22 02,de,Bo,+32470112202,2000\n"
                          "+32 470 11 22 01,en,Cy,+32470112203,3000\n"
                          "+32 470 11 22 04,en,Di,+32470112204,12\n")
    assert refused.status_code == 422
    assert "3 of 4 lines refused; nothing was imported" in refused.text
    with transaction(web_centre.engine) as session:
        assert session.scalar(select(func.count()).select_from(Contact).where(
            Contact.campaign_id == campaign_id)) == 0
        recorded = session.scalars(select(ContactImport).where(
            ContactImport.campaign_id == campaign_id)).one()
    assert (recorded.rows, recorded.imported, recorded.rejected) == (4, 0, 3)
    link = f"/client/imports/{recorded.id}/rejections.csv"
    assert link in refused.text
    report = client.get(link)
    assert report.status_code == 200
    assert report.headers["Content-Disposition"].endswith("list-rejected.csv")
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [(row["line"], row["reason"]) for row in rows] == [
        ("3", "unknown_language"), ("4", "duplicate"), ("5", "pattern")], rows
    assert sign_in(web_app, web_centre, "other_client").get(link).status_code == 404
    uploads = list((Path(web_app.config["SURVEY_INSTANCE"]) / "imports" / str(campaign_id))
                   .iterdir())
    assert [path.name.endswith(".rejections.csv") for path in uploads] == [True]

    done = import_file(client, campaign_id, CONTACTS_HEADER +
                       "+32 470 11 22 01,fr,Ana,+32470112201,1000\n"
                       "+32 470 11 22 02,en,Bo,+32470112202,2000\n")
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).text
    assert "2 contacts imported from list.csv." in page
    assert re.search(r'<th scope="row">waiting</th><td>2</td>', page)
    assert len(list(uploads[0].parent.iterdir())) == 1  # the contacts file is not kept


def test_a_file_refused_as_a_whole_is_named_as_it_was_sent(web_app: Flask,
                                                           web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    campaign_id = new_campaign(client, web_centre, "IMPORT-2")
    response = import_file(client, campaign_id, "phone,language,first_name\n+32470112201,fr,A\n",
                           "my list.csv")
    assert response.status_code == 422
    assert "my_list.csv" in response.text and "imports/" not in response.text
    assert "mobile" in response.text  # the missing columns are named


def test_a_contact_file_above_the_limit_is_refused_before_it_is_read(
        web_centre: WebCentre, tmp_path: Path) -> None:
    app = create_app({**app_config(web_centre, tmp_path), "MAX_CONTACTS_UPLOAD": 4096})
    client = sign_in(app, web_centre, "client")
    campaign_id = new_campaign(client, web_centre, "IMPORT-3")
    lines = "".join(f"+32 470 12 {n // 100:02d} {n % 100:02d},en,A,+3247012{n:04d},1000\n"
                    for n in range(200))
    response = import_file(client, campaign_id, CONTACTS_HEADER + lines)
    assert response.status_code == 413
    assert "larger than this page takes" in response.text
    assert import_file(client, campaign_id, CONTACTS_HEADER + lines[:2000]).status_code == 302


def test_the_campaign_page_shows_the_aapor_counts_of_its_cases(web_app: Flask,
                                                              web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    page = client.get(f"/client/campaigns/{web_centre.campaigns['mine']}").text
    campaign_row = re.search(r'<tr><th scope="row">Campaign</th><td>(\d+)</td>\s*'
                             r'((?:<td>\d+</td>\s*){8})', page)
    assert campaign_row is not None
    with transaction(web_centre.engine) as session:
        contacts = session.scalar(select(func.count()).select_from(Contact).where(
            Contact.campaign_id == web_centre.campaigns["mine"]))
    assert int(campaign_row.group(1)) == contacts
    counts = [int(n) for n in re.findall(r"\d+", campaign_row.group(2))]
    assert sum(counts) == contacts  # every case in one AAPOR group
    assert "unknown if household" in page  # the groups explained
    for label in ("CSV with its codebook (ZIP)", "SPSS (.sav)", "Triple-S XML and data (ZIP)"):
        assert label in page
