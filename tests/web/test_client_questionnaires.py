"""The client portal's questionnaires over HTTP, on SQLite and PostgreSQL: uploads checked in
full (a broken one shows every problem beside its line and keeps nothing), each client's
versions in folders of their own, a fielded version that cannot change, translation status,
the template, translated catalogs checked before they are accepted, the preview in each
language as the console renders it, and scripted interviews run from the page."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from dialer.db import transaction
from dialer.models import Campaign, ClientQuestionnaire
from tests.web.centre import WebCentre, csrf_of, sign_in
from tests.web.portal import BROKEN, FRENCH, SCRIPT, SURVEY, catalog


def post_file(browser: FlaskClient, page: str, url: str, content: bytes, name: str,
              **fields: Any) -> Any:
    """Send ``content`` as the form's file, with the token of the form on ``page``."""
    token = csrf_of(browser.get(page).text)
    return browser.post(url, data={"csrf_token": token, "file": (io.BytesIO(content), name),
                                  **fields}, content_type="multipart/form-data")


def upload(browser: FlaskClient, text: str, **fields: Any) -> Any:
    return post_file(browser, "/client/questionnaires/new", "/client/questionnaires/new",
                     text.encode(), "survey.yaml", **fields)


def versioned(version: int, slug: str = "portal-survey") -> str:
    return SURVEY.replace("version: 1", f"version: {version}").replace(
        "questionnaire: portal-survey", f"questionnaire: {slug}")


def row_of(centre: WebCentre, response: Any) -> ClientQuestionnaire:
    ident = int(response.headers["Location"].rsplit("/", 1)[1])
    with transaction(centre.engine) as session:
        row = session.get(ClientQuestionnaire, ident)
        assert row is not None
        return row


def stored_rows(centre: WebCentre) -> int:
    with transaction(centre.engine) as session:
        return session.scalar(select(func.count()).select_from(ClientQuestionnaire)) or 0


def source_row(html: str, line: int) -> str:
    """The source table's row of ``line``."""
    found = re.search(rf'<tr id="L{line}"(.*?)</tr>', html, re.S)
    assert found is not None, f"no line {line} in the source shown"
    return found.group(1)


def test_a_broken_upload_shows_every_problem_beside_its_line_and_keeps_nothing(
        web_app: Flask, web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    before = stored_rows(web_centre)
    response = upload(client, BROKEN)
    assert response.status_code == 422
    html = response.text
    assert "4 problems in survey.yaml" in html
    for line, said in ((5, "&#39;xx&#39; is not a known language code"),
                       (10, "missing key &#39;options&#39;"),
                       (13, "unknown key &#39;optons&#39; (did you mean &#39;options&#39;?)"),
                       (14, "unknown question &#39;consnt&#39;")):
        row = source_row(html, line)
        assert 'class="bad"' in row and said in row, (line, row)
    assert 'class="bad"' not in source_row(html, 1)
    assert "languages: [en, xx]" in source_row(html, 5)
    assert stored_rows(web_centre) == before


def test_a_file_that_is_not_utf8_is_refused_at_its_byte(web_app: Flask,
                                                        web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    before = stored_rows(web_centre)
    response = post_file(client, "/client/questionnaires/new", "/client/questionnaires/new",
                         SURVEY.encode().replace(b"Portal survey", b"Portal \xe9survey"),
                         "latin.yaml")
    assert response.status_code == 422
    assert "not UTF-8 text" in source_row(response.text, 3)
    assert stored_rows(web_centre) == before


def test_each_clients_upload_is_kept_in_its_own_folder(web_app: Flask,
                                                       web_centre: WebCentre) -> None:
    mine, theirs = (sign_in(web_app, web_centre, who) for who in ("client", "other_client"))
    rows = [row_of(web_centre, upload(who, versioned(7, "same-slug"))) for who in (mine, theirs)]
    assert rows[0].client_id != rows[1].client_id
    assert rows[0].path != rows[1].path
    for row in rows:
        path = Path(row.path)
        assert path.parts[-4:] == (str(row.client_id), "same-slug", "7", "same-slug.yaml")
        assert path.read_text(encoding="utf-8") == versioned(7, "same-slug")
        assert (path.parent / "locales" / "same-slug.pot").is_file()
    page = mine.get(f"/client/questionnaires/{rows[0].id}")
    assert page.status_code == 200
    assert mine.get(f"/client/questionnaires/{rows[1].id}").status_code == 404


def test_an_administrator_uploads_for_the_client_chosen(web_app: Flask,
                                                        web_centre: WebCentre) -> None:
    admin = sign_in(web_app, web_centre, "admin")
    with transaction(web_centre.engine) as session:
        campaign = session.get(Campaign, web_centre.campaigns["theirs"])
        assert campaign is not None
        client_id = campaign.client_id
    response = upload(admin, versioned(3, "chosen"), client=str(client_id))
    assert response.status_code == 302
    assert row_of(web_centre, response).client_id == client_id
    assert upload(admin, versioned(4, "chosen"), client="987654").status_code == 422


def test_a_version_a_campaign_fields_cannot_change(web_app: Flask,
                                                   web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    row = row_of(web_centre, upload(client, versioned(9)))
    page = f"/client/questionnaires/{row.id}/campaigns/new"
    created = client.post(page, data={
        "csrf_token": csrf_of(client.get(page).text), "code": f"FIELDED-{row.id}",
        "name": "Fielded", "languages": ["en"], "countries": "BE",
        "number_types": ["mobile"], "windows": "Mon-Fri 09:00-21:00", "max_attempts": "6",
        "minimum_language_level": "fluent", "dialing_mode": "progressive",
        "max_call_minutes": "30", "no_answer_seconds": "30"})
    assert created.status_code == 302, created.text
    changed = versioned(9).replace("Which colour", "What colour")
    response = upload(client, changed)
    assert response.status_code == 409
    assert "raise its version" in response.text
    assert Path(row.path).read_text(encoding="utf-8") == versioned(9)


def test_the_template_names_the_questionnaire_and_its_version(web_app: Flask,
                                                             web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    ident = web_centre.questionnaires["mine"]
    response = client.get(f"/client/questionnaires/{ident}/template.pot")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("portal-survey-1.pot")
    template = read_po(io.BytesIO(response.data))
    assert (template.project, template.version) == ("portal-survey", "1")
    assert {message.context for message in template if message.id} == set(FRENCH)


def fresh_version(app: Flask, centre: WebCentre, version: int
                  ) -> tuple[FlaskClient, ClientQuestionnaire, bytes]:
    """The client signed in, a version of its own just uploaded, and that version's
    template."""
    client = sign_in(app, centre, "client")
    row = row_of(centre, upload(client, versioned(version)))
    return client, row, client.get(f"/client/questionnaires/{row.id}/template.pot").data


def french(client: FlaskClient, ident: int, content: bytes) -> Any:
    return post_file(client, f"/client/questionnaires/{ident}",
                     f"/client/questionnaires/{ident}/catalogs", content, "fr.po",
                     language="fr")


def test_a_catalog_with_faults_is_refused_with_each_on_its_line(web_app: Flask,
                                                               web_centre: WebCentre) -> None:
    client, row, template = fresh_version(web_app, web_centre, 11)
    faulty = {**FRENCH, "portal-survey/colour/options/2": "",
              "portal-survey/why/text": "Pourquoi « {couleur} » ?"}
    content = catalog(template, faulty, fuzzy=("portal-survey/consent/text",))
    response = french(client, row.id, content)
    assert response.status_code == 422
    lines = content.decode().splitlines()

    def msgid_line(context: str) -> int:
        return next(number for number, text in enumerate(lines, start=1)
                    if text == f'msgctxt "{context}"') + 1

    for context, said in (("consent/text", "fuzzy entry"), ("colour/options/2", "empty entry"),
                          ("why/text", "placeholders of")):
        shown = source_row(response.text, msgid_line(f"portal-survey/{context}"))
        assert 'class="bad"' in shown and said in shown
    assert not (Path(row.path).parent / "locales" / "fr").exists()


def test_a_catalog_of_another_version_or_language_is_refused(web_app: Flask,
                                                           web_centre: WebCentre) -> None:
    client, row, template = fresh_version(web_app, web_centre, 12)
    for content, said in (
            (catalog(template, FRENCH, version="11"), "version 11 of portal-survey, not "
                                                       "version 12"),
            (catalog(template, FRENCH, project="market-study"), "is for &#39;market-study "
                                                                  "12&#39;"),
            (catalog(template, FRENCH, language="nl"), "in &#39;nl&#39; (Language), not in "
                                                       "&#39;fr&#39;")):
        response = french(client, row.id, content)
        assert response.status_code == 422
        assert said in response.text
    assert not (Path(row.path).parent / "locales" / "fr").exists()


def test_a_clean_catalog_is_accepted_and_the_preview_reads_it(web_app: Flask,
                                                            web_centre: WebCentre) -> None:
    client, row, template = fresh_version(web_app, web_centre, 13)
    page = client.get(f"/client/questionnaires/{row.id}").text
    assert "no catalog yet" in page
    response = french(client, row.id, catalog(template, FRENCH))
    assert response.status_code == 302
    locales = Path(row.path).parent / "locales" / "fr" / "LC_MESSAGES"
    assert (locales / "portal-survey.po").is_file() and (locales / "portal-survey.mo").is_file()
    status = client.get(f"/client/questionnaires/{row.id}").text
    assert re.search(r"<td>9</td><td>0</td><td>0</td><td>ready</td>", status)
    preview = client.get(f"/client/questionnaires/{row.id}/preview?lang=fr"
                         "&contact-first_name=Ana&contact-mobile=%2B32470123456"
                         "&contact-postcode=1000")
    assert preview.status_code == 200
    assert "Bonjour Ana, voici une courte enquête." in preview.text
    assert "Pourquoi « [colour] », et le +32 4•• •• •• 56 est-il toujours votre numéro ?" \
        in preview.text
    assert "+32470123456" not in preview.text.replace('value="+32470123456"', "")
    assert re.search(r"<kbd>2</kbd> <input[^>]*> Bleu", preview.text)


def test_the_preview_renders_each_question_as_the_console_does(web_app: Flask,
                                                              web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    ident = web_centre.questionnaires["mine"]
    response = client.get(f"/client/questionnaires/{ident}/preview")
    assert response.status_code == 200
    html = response.text
    for number, text in ((1, "May I ask you two questions?"),
                         (2, "Which colour do you like best?")):
        assert f"Question {number}" in html and text in html
    assert 'lang="en"' in html
    assert html.count("<fieldset disabled>") == 3  # the console's forms, sending nothing
    assert html.count('value="Don\'t know"') == 1  # allowed for colour only
    assert 'name="colour-answer" type="radio" value="2"> Blue' in html
    assert "asked only if <code>colour != dont_know</code>" in html
    assert "ends the interview if <code>not consent</code>" in html
    wrong = client.get(f"/client/questionnaires/{ident}/preview?lang=en&contact-postcode=x")
    assert wrong.status_code == 422
    assert "postcode" in wrong.text


def test_scripted_interviews_show_each_case_and_its_difference(web_app: Flask,
                                                              web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    ident = web_centre.questionnaires["mine"]
    page = f"/client/questionnaires/{ident}/interviews"
    token = csrf_of(client.get(page).text)
    response = client.post(page, data={"csrf_token": token, "language": "en",
                                       "text": SCRIPT})
    assert response.status_code == 200
    html = response.text
    assert "2 cases · 1 failed" in html
    passed = re.search(r'<tr class="passed">\s*<th scope="row">likes blue</th>', html)
    failed = re.search(r'<tr class="failed">\s*<th scope="row">says no</th>.*?</tr>', html,
                       re.S)
    assert passed is not None and failed is not None
    assert "path stops after consent; expected colour next" in failed.group(0)
    french_run = client.post(page, data={"csrf_token": token, "language": "fr",
                                         "text": SCRIPT})
    assert french_run.status_code == 422  # no French catalog for this version yet
    assert "no compiled catalog" in french_run.text


def test_a_script_that_does_not_read_shows_its_problems_beside_their_lines(
        web_app: Flask, web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "client")
    ident = web_centre.questionnaires["mine"]
    page = f"/client/questionnaires/{ident}/interviews"
    broken = SCRIPT.replace("answers: {consent: no}", "answers: {consnt: no}")
    response = post_file(client, page, page, broken.encode(), "paths.yaml", language="en")
    assert response.status_code == 422
    assert "consnt" in source_row(response.text, 10)
    assert "did you mean &#39;consent&#39;?" in source_row(response.text, 10)
