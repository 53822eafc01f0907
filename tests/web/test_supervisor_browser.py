"""In a real browser (Playwright, Debian's headless Chromium) against ``survey-engine serve``
and ``survey-engine worker`` in processes of their own: a supervisor stops all dialing and the
waiting agent gets no call; once dialing is resumed the agent gets one. The supervisor's live
board shows the agent's state change without a reload. Screenshots in test-artifacts/."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from dialer.db import transaction
from dialer.models import (
    AnswerKind,
    AnswerRecord,
    Attempt,
    Campaign,
    CampaignState,
    TraceEvent,
    User,
)
from tests.database_fixtures import require_backend
from tests.dialer.databases import BACKENDS, migrated_database
from tests.web.browser import screenshot
from tests.web.centre import PASSWORD, PIN, WebCentre, build_centre
from tests.web.live_server import (
    ALL_ANSWER_CONFIG,
    LiveServer,
    dialer_worker,
    environment,
    served,
)

#: How long the browser waits for what the server and the worker do (not a measurement).
PATIENCE_MS = 60_000


def _instance(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """An instance folder whose simulated respondents all answer, once the test's database
    backend is there."""
    require_backend(str(request.param))
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.toml").write_text(ALL_ANSWER_CONFIG, encoding="utf-8")
    return instance


@pytest.fixture(params=BACKENDS)
def live(request: pytest.FixtureRequest, tmp_path: Path
         ) -> Iterator[tuple[WebCentre, LiveServer, Path]]:
    """A centre whose campaigns are paused (a ready agent waits), served, with a worker."""
    instance = _instance(request, tmp_path)
    with migrated_database(str(request.param), tmp_path) as (engine, url):
        centre = build_centre(engine, url, calls=False)
        with transaction(engine) as session:
            session.execute(update(Campaign).values(state=CampaignState.PAUSED))
        with served(instance, url) as server, dialer_worker(instance, url):
            yield centre, server, instance


def _attempts(centre: WebCentre) -> list[int]:
    with transaction(centre.engine) as session:
        return list(session.scalars(select(Attempt.id).where(
            Attempt.agent_id == centre.agents["agent"])))


def _one_worker_pass(instance: Path, centre: WebCentre) -> str:
    """``survey-engine worker --once``: one more dialer process, one pass, what it did."""
    done = subprocess.run([sys.executable, "-m", "survey_engine.cli", "worker", "--once"],
                          env=environment(instance, centre.url), capture_output=True,
                          text=True, timeout=120, check=True)
    return done.stdout


def _agent_state(board: Any, code: str) -> Any:
    return board.locator("table[data-rows=agents] tr", has_text=code).locator("td").nth(2)


def test_a_supervisor_stops_all_dialing_and_the_waiting_agent_gets_no_call(
        live: tuple[WebCentre, LiveServer, Path], browser: Any,
        request: pytest.FixtureRequest) -> None:
    from playwright.sync_api import expect

    centre, server, instance = live
    backend = request.node.callspec.params["live"]
    code = centre.agent_codes["agent"]
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900})
                for _ in range(2)]
    try:
        desk, console = (context.new_page() for context in contexts)
        desk.goto(f"{server.url}/login")
        desk.fill("input[name=login]", centre.logins["supervisor"])
        desk.fill("input[name=password]", PASSWORD)
        desk.click("input[type=submit]")
        desk.wait_for_url("**/supervisor/")
        expect(_agent_state(desk, code)).to_have_text("on shift, not signed in")
        desk.evaluate("window.notReloaded = true")

        console.goto(f"{server.url}/agent/login")
        console.fill("input[name=code]", centre.logins["agent"])
        console.fill("input[name=pin]", PIN)
        console.keyboard.press("Enter")
        console.wait_for_selector("#state.paused")
        console.keyboard.press("Enter")  # ready for a call: every campaign is paused
        console.wait_for_selector("#state.waiting")
        expect(_agent_state(desk, code)).to_have_text("waiting for a call",
                                                      timeout=PATIENCE_MS)
        assert desk.evaluate("window.notReloaded === true"), "the board changed by itself"
        screenshot(desk, f"supervisor-board-agent-waiting-{backend}")

        desk.fill("input[name=reason]", "incident in wing B")
        desk.click("input[name=stop]")
        expect(desk.locator("#dialing")).to_have_text("All dialing is stopped.")
        screenshot(desk, f"supervisor-dialing-stopped-{backend}")
        desk.goto(f"{server.url}/supervisor/campaigns")
        row = desk.locator(f"#campaign-{centre.campaigns['mine']}")
        row.locator("input[name=resume]").click()
        expect(desk.locator(f"#campaign-{centre.campaigns['mine']} .campaign-state")
               ).to_have_text("running")
        # A contact is due, the campaign runs, the agent waits: only the switch holds it.
        assert _one_worker_pass(instance, centre).startswith("stopped: True")
        # the console looks again by itself (meta refresh): no reload that could cross it
        expect(console.locator("p[role=alert]")).to_have_count(1, timeout=PATIENCE_MS)
        expect(console.locator("#state.waiting")).to_have_count(1)
        screenshot(console, f"agent-waiting-while-stopped-{backend}")
        assert _attempts(centre) == [], "no call while all dialing is stopped"

        desk.goto(f"{server.url}/supervisor/")
        desk.evaluate("window.notReloaded = true")
        with desk.expect_navigation():
            desk.click("input[name=resume]")
        expect(desk.locator("#dialing")).to_have_text("Dialing is on.")
        desk.evaluate("window.notReloaded = true")
        console.wait_for_url("**/agent/calls/*", timeout=PATIENCE_MS)  # its page looks again
        screenshot(console, f"agent-call-after-resume-{backend}")
        expect(_agent_state(desk, code)).to_have_text(
            re.compile("dialing|on a call"), timeout=PATIENCE_MS)
        assert desk.evaluate("window.notReloaded === true"), "the board changed by itself"
        screenshot(desk, f"supervisor-board-agent-on-call-{backend}")
    finally:
        for context in contexts:
            context.close()
    assert len(_attempts(centre)) == 1
    with transaction(centre.engine) as session:
        actors = set(session.scalars(select(TraceEvent.actor).where(
            TraceEvent.kind.in_(("dialing_stopped", "dialing_resumed", "campaign_resumed")))))
    assert actors == {"supervisor:web-supervisor"}


@pytest.fixture(params=BACKENDS)
def reviewed(request: pytest.FixtureRequest, tmp_path: Path
             ) -> Iterator[tuple[WebCentre, LiveServer]]:
    """A centre with an interview to review (tests.web.centre's), served; the supervisor
    reads French."""
    instance = _instance(request, tmp_path)
    with migrated_database(str(request.param), tmp_path) as (engine, url):
        centre = build_centre(engine, url)
        with transaction(engine) as session:
            session.execute(update(User).where(User.login == centre.logins["supervisor"])
                            .values(interface_language="fr"))
        with served(instance, url) as server:
            yield centre, server


def test_a_supervisor_reviews_and_corrects_an_interview_and_manages_an_agent(
        reviewed: tuple[WebCentre, LiveServer], page: Any,
        request: pytest.FixtureRequest) -> None:
    centre, server = reviewed
    backend = request.node.callspec.params["reviewed"]
    page.goto(f"{server.url}/login")
    page.fill("input[name=login]", centre.logins["supervisor"])
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/supervisor/")
    page.click("text=Contrôle qualité")
    page.click(f"a[href='/supervisor/interviews/{centre.interviews['agent']}']")
    assert "Trace intacte" in page.locator("#chain").inner_text()
    assert page.locator("#q-services .history li").count() == 3  # given, withdrawn, given
    screenshot(page, f"supervisor-interview-review-fr-{backend}")
    page.locator("#q-services a").click()
    assert page.is_checked("#correction input[name=answer][value='4']")  # as it stands
    page.check("#correction input[name=answer][value='3']")
    page.fill("#correction textarea[name=reason]", "entendu sur l'enregistrement")
    page.click("#correction input[name=submit]")
    page.wait_for_selector("text=La correction est enregistrée et tracée.")
    assert "1 Mobil" in page.locator("#q-services td.value").inner_text()  # in Turkish
    assert page.locator("#q-services .history li").count() == 4
    screenshot(page, f"supervisor-interview-corrected-fr-{backend}")
    page.goto(f"{server.url}/supervisor/agents/{centre.agents['agent']}")
    page.select_option("select[name=level_sq]", "working")
    page.click("#languages input[type=submit]")
    page.wait_for_selector("text=Les langues sont enregistrées.")
    page.fill("input[name=number]", "+32 470 99 88 77")
    page.fill("#exclusions input[name=reason]", "famille de la victime")
    page.click("#exclusions input[type=submit]")
    page.wait_for_selector("text=L'exclusion est ajoutée.")
    assert "+32 4•• •• •• 77" in page.locator("#exclusions").inner_text()
    assert "99 88 77" not in page.content()
    screenshot(page, f"supervisor-agent-fr-{backend}")
    with transaction(centre.engine) as session:
        values = list(session.scalars(select(AnswerRecord.value).where(
            AnswerRecord.kind == AnswerKind.CORRECTED)))
    assert values == [[1, 3, 4]]
