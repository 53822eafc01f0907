"""The client portal in a real browser (Playwright, Debian's headless Chromium) against the
served application (``survey-engine serve``): a client uploads a broken questionnaire and sees
the line-numbered errors; another, whose interface is German, takes a questionnaire from
upload to translation, preview, scripted interviews, a campaign, its contacts and a download.
Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dialer.db import transaction
from dialer.models import User
from tests.database_fixtures import require_backend
from tests.dialer.databases import BACKENDS, migrated_database
from tests.web.browser import screenshot
from tests.web.centre import PASSWORD, WebCentre, build_centre
from tests.web.live_server import LiveServer, served
from tests.web.portal import BROKEN, FRENCH, SCRIPT, SURVEY, catalog


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path
         ) -> Iterator[tuple[WebCentre, LiveServer, str]]:
    """A centre of the test's own served by ``survey-engine serve``, and the backend."""
    backend = str(request.param)
    require_backend(backend)
    instance = tmp_path / "instance"
    instance.mkdir()
    with migrated_database(backend, tmp_path) as (engine, url):
        centre = build_centre(engine, url, calls=False)
        with served(instance, url) as server:
            yield centre, server, backend


def sign_in(page: Any, server: LiveServer, login: str) -> None:
    page.goto(f"{server.url}/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form[action='/login'] input[type=submit]")


def test_a_client_uploads_a_broken_questionnaire_and_sees_the_line_numbered_errors(
        live: tuple[WebCentre, LiveServer, str], page: Any, tmp_path: Path) -> None:
    centre, server, backend = live
    sign_in(page, server, centre.logins["client"])
    page.click("text=Upload a questionnaire")
    broken = tmp_path / "survey.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    page.set_input_files("input[type=file]", str(broken))
    with page.expect_navigation():
        page.click("text=Upload and check")
    page.wait_for_selector("text=4 problems in survey.yaml")
    bad = page.locator("table.source tr.bad")
    assert [bad.nth(i).locator("th").inner_text() for i in range(bad.count())] == [
        "5", "10", "13", "14"]
    assert "'xx' is not a known language code" in page.locator("#L5 td.problems").inner_text()
    assert "languages: [en, xx]" in page.locator("#L5 td.code").inner_text()
    assert "unknown key 'optons' (did you mean 'options'?)" in \
        page.locator("#L13 td.problems").inner_text()
    assert page.locator("#L14").is_visible()
    screenshot(page, f"client-broken-questionnaire-{backend}")
    page.click("ol.findings a[href='#L14']")
    assert page.evaluate("location.hash") == "#L14"


def test_a_german_client_takes_a_questionnaire_to_a_campaign_and_its_results(
        live: tuple[WebCentre, LiveServer, str], page: Any, tmp_path: Path) -> None:
    centre, server, backend = live
    with transaction(centre.engine) as session:
        user = session.scalars(select(User).where(User.login == centre.logins["client"])).one()
        user.interface_language = "de"
    sign_in(page, server, centre.logins["client"])
    assert page.locator("html").get_attribute("lang") == "de"
    survey = tmp_path / "portal-survey.yaml"
    survey.write_text(SURVEY, encoding="utf-8")
    page.click("a.button.primary")  # upload a questionnaire
    page.set_input_files("input[type=file]", str(survey))
    with page.expect_navigation():
        page.click("form[action$='/questionnaires/new'] input[type=submit]")
    assert page.locator("h1").inner_text() == "Portal survey"
    screenshot(page, f"client-questionnaire-de-{backend}")

    with page.expect_download() as waiting:
        page.click("a[href$='template.pot']")
    template = Path(waiting.value.path()).read_bytes()
    translated = tmp_path / "fr.po"
    translated.write_bytes(catalog(template, FRENCH))
    page.select_option("select[name=language]", "fr")
    page.set_input_files("input[name=file]", str(translated))
    with page.expect_navigation():
        page.click("form[action$='/catalogs'] input[type=submit]")
    assert page.locator("tr.ready").count() == 2  # English (source) and French
    screenshot(page, f"client-translations-de-{backend}")

    page.click("a[href$='preview?lang=fr']")
    page.wait_for_selector("text=Bonjour")
    assert page.locator("section.question").count() == 3
    assert page.locator("p.question-text[lang=fr]").first.inner_text() == \
        "Puis-je vous poser deux questions ?"
    screenshot(page, f"client-preview-fr-{backend}")

    page.go_back()
    page.click("a[href$='/interviews']")
    page.select_option("select[name=language]", "fr")
    page.fill("textarea[name=text]", SCRIPT)
    with page.expect_navigation():
        page.click("form[action$='/interviews'] input[type=submit]")
    assert page.locator("tr.passed").count() == 1 and page.locator("tr.failed").count() == 1
    assert "path stops after consent" in page.locator("tr.failed .difference").inner_text()
    screenshot(page, f"client-scripted-interviews-{backend}")

    page.go_back()
    page.go_back()
    page.click("a[href$='/campaigns/new']")
    page.fill("input[name=code]", "BROWSER-1")
    page.fill("input[name=name]", "Colours in the browser")
    page.fill("input[name=countries]", "BE")
    with page.expect_navigation():
        page.click("form[action$='/campaigns/new'] input[type=submit]")
    assert page.locator("span.campaign-state").inner_text() == "Entwurf"
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("phone,language,first_name,mobile,postcode\n"
                        "+32 470 33 44 01,fr,Ana,+32470334401,1000\n"
                        "+32 470 33 44 02,en,Bo,+32470334402,2000\n", encoding="utf-8")
    page.set_input_files("input[name=file]", str(contacts))
    with page.expect_navigation():
        page.click("form[action$='/contacts'] input[type=submit]")
    assert page.locator("table.contacts td").first.inner_text() == "2"
    screenshot(page, f"client-campaign-de-{backend}")

    page.select_option("select[name=format]", "jsonl")
    with page.expect_download() as waiting:
        page.click("form.downloads button[type=submit]")
    exported = Path(waiting.value.path()).read_text(encoding="utf-8")
    assert exported == ""  # no interview yet: the campaign is a draft
    with page.expect_download() as waiting:
        page.click("a[href$='rates.csv']")
    rates = Path(waiting.value.path()).read_text(encoding="utf-8").splitlines()
    assert rates[0].startswith("by,value,cases,I,P,R,NC,O,UH,UO,NE,e,RR1,")
    assert rates[1].startswith("campaign,,2,0,0,0,0,0,2,0,0,")  # two cases not attempted
