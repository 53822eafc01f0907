"""In a real browser (Playwright, Debian's headless Chromium) against the served application
(``survey-engine serve`` in its own process, waitress): an agent whose interface is Russian
interviews a Turkish respondent from sign-in to the end of the call with the keyboard alone,
a refused answer explained and a step back on the way. Screenshots in test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dialer.db import transaction
from dialer.models import AnswerKind, AnswerRecord, Attempt
from tests.database_fixtures import require_backend
from tests.dialer.databases import BACKENDS, migrated_database
from tests.web.browser import screenshot
from tests.web.centre import PIN, WebCentre, build_centre
from tests.web.live_server import ALL_ANSWER_CONFIG, LiveServer, served

#: What the agent presses for each question: keys, then Enter (text is typed in its field).
KEYS: dict[str, list[str]] = {
    "consent": ["1"], "services": ["1", "2"], "overall_satisfaction": ["5"],
    "internet_reliability": ["4"], "improvements": ["1", "3"], "contacted_support": ["1"],
    "support_channel": ["3"], "support_rating": ["5"], "issue_resolved": ["1"],
    "nps": ["1", "0"], "switch_intent": ["?"]}
TYPED = {"nps_why": "Fiyatı uygun ve şebeke hiç kesilmiyor.", "monthly_bill": "54,5"}


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[WebCentre,
                                                                         LiveServer]]:
    """A centre of the test's own, served by ``survey-engine serve``."""
    backend = str(request.param)
    require_backend(backend)
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.toml").write_text(ALL_ANSWER_CONFIG, encoding="utf-8")
    with migrated_database(backend, tmp_path) as (engine, url):
        centre = build_centre(engine, url, calls=False)
        with served(instance, url) as server:
            yield centre, server


def _question(page: Any) -> str | None:
    field = page.locator("input[name=question]")
    return field.get_attribute("value") if field.count() else None


def _press(page: Any, key: str) -> str | None:
    """Press a key that sends a form, wait for the page it leads to; its question."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state()
    return _question(page)


def test_a_russian_agent_interviews_a_turkish_respondent_with_the_keyboard_alone(
        live: tuple[WebCentre, LiveServer], page: Any, request: pytest.FixtureRequest
        ) -> None:
    centre, server = live
    backend = request.node.callspec.params["live"]
    page.goto(f"{server.url}/agent/login")
    assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.type(centre.logins["agent"])
    page.keyboard.press("Tab")
    page.keyboard.type(PIN)
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Вы на паузе.")
    assert page.locator("html").get_attribute("lang") == "ru"
    screenshot(page, f"agent-console-ru-{backend}")
    page.keyboard.press("Enter")  # ready for a call
    page.wait_for_selector("text=Собеседник на линии.", timeout=60_000)
    screenshot(page, f"agent-connected-{backend}")
    question = _press(page, "Enter")  # begin the interview
    intro = page.locator("section.intro p")
    assert intro.get_attribute("lang") == "tr" and "Ayşe" in intro.inner_text()
    screenshot(page, f"agent-first-question-tr-{backend}")
    refused = stepped_back = False
    while question is not None:
        if question == "contacted_support" and not stepped_back:
            stepped_back = True
            question = _press(page, "Backspace")
            assert question == "improvements"
            continue
        if question in TYPED:
            if question == "monthly_bill" and not refused:
                refused = True
                page.keyboard.type("5000")
                assert _press(page, "Enter") == "monthly_bill"
                assert "Не принято" in page.locator("p.refusal").inner_text()
                assert page.locator("p.refusal span").get_attribute("lang") == "tr"
                screenshot(page, f"agent-refused-answer-{backend}")
                page.keyboard.press("Control+A")
            page.keyboard.type(TYPED[question])
        else:
            if KEYS[question] == ["?"]:
                question = _press(page, "?")
                continue
            for key in KEYS[question]:
                page.keyboard.press(key)
        if question == "nps":
            assert page.locator('input[name=answer][value="10"]').is_checked()
        question = _press(page, "Enter")
    assert "Son sorum buydu" in page.locator("section.closing").inner_text()
    screenshot(page, f"agent-closing-{backend}")
    _press(page, "Enter")  # end the call, then the next one
    page.wait_for_selector("text=Звонок завершён")
    screenshot(page, f"agent-call-ended-{backend}")
    with transaction(centre.engine) as session:
        attempt = session.scalars(select(Attempt).where(
            Attempt.agent_id == centre.agents["agent"]).order_by(Attempt.id)).first()
        assert attempt is not None
        assert attempt.disposition == "1.1"
        records = list(session.scalars(select(AnswerRecord).where(
            AnswerRecord.attempt_id == attempt.id)))
    assert AnswerKind.WITHDRAWN in {record.kind for record in records}
    given = {record.question_id: record.value for record in records
             if record.kind is AnswerKind.GIVEN}
    assert given["nps"] == 10 and given["switch_intent"] == {"special": "dont_know"}
    assert given["monthly_bill"] == "54.5" or given["monthly_bill"] == 54.5
    assert sorted(given["services"]) == [1, 2]
