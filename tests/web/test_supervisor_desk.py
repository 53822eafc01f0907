"""The supervisor desk through HTTP, on both databases: the live board (its page and its JSON,
a site's own agents only), the stop-all-dialing switch honoured by the console and by a
worker of another process, campaign control, agent management with errors in the
supervisor's language, and quality review with corrections; and no full number on any page
a supervisor receives."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from dialer.contacts import add_contact
from dialer.db import transaction
from dialer.dialing_switch import dialing_state
from dialer.models import (
    Agent,
    AgentExclusion,
    AnswerKind,
    AnswerRecord,
    Attempt,
    Campaign,
    CampaignState,
    Contact,
    Interview,
    Shift,
    TraceEvent,
    User,
    utc_now,
)
from dialer.telephony import SimBackend
from dialer.worker import DialingService
from survey_engine.web import create_app
from tests.dialer import callflow
from tests.dialer.test_sealed_payloads import NumberScanner
from tests.web.centre import WebCentre, app_config, csrf_of, sign_in
from tests.web.console_flow import Workstation, answered, give

#: Respondents this module adds (none of tests.web.centre's).
NEW_NUMBERS = iter(f"+3247055512{n}" for n in range(10))
#: What a supervisor types as exclusions (they must never come back in a page).
EXCLUDED = "+32 470 99 88 77"


class Desk(Workstation):
    """A supervisor's browser: forms carry the token of the last page that had one."""

    def post(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        pages = [response.text for _where, response in reversed(self.received)
                 if 'name="csrf_token"' in response.text]
        token = csrf_of(pages[0] if pages else self.client.get("/supervisor/").text)
        response = self.client.post(url, data={"csrf_token": token, **(data or {})})
        self.received.append((f"POST {url}", response))
        return response


def _desk(app: Flask, centre: WebCentre, who: str = "supervisor") -> Desk:
    station = Desk(sign_in(app, centre, who))
    assert station.get("/supervisor/").status_code == 200
    return station


def _due_contact(centre: WebCentre) -> int:
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaigns["mine"])
        assert campaign is not None
        contact = add_contact(session, campaign, next(NEW_NUMBERS), "tr",
                              fields=callflow.CUSTOMER,
                              due_at=utc_now() - dt.timedelta(minutes=5))
        return contact.id


def _open_attempts(centre: WebCentre, key: str = "agent") -> list[int]:
    with transaction(centre.engine) as session:
        return list(session.scalars(select(Attempt.id).where(
            Attempt.agent_id == centre.agents[key], Attempt.ended_at.is_(None))))


def _end_open_calls(centre: WebCentre) -> None:
    """Leave no call showing for the next test (the module shares its centre), those ended
    at an instant a test travelled to included."""
    now = utc_now()
    with transaction(centre.engine) as session:
        session.execute(update(Attempt).where(Attempt.ended_at.is_(None))
                        .values(ended_at=now, ending="break_off"))
        session.execute(update(Attempt).where(Attempt.ended_at > now).values(ended_at=now))
        session.execute(update(Agent).values(ready_since=None))


def test_the_board_shows_the_site_s_own_agents_and_its_json_the_same(
        web_app: Flask, web_centre: WebCentre) -> None:
    mine, theirs = web_centre.agent_codes["agent"], web_centre.agent_codes["other_agent"]
    page = _desk(web_app, web_centre).received[-1][1].text
    assert mine in page and theirs not in page
    assert 'src="/static/board.js"' in page and 'data-board-url="/supervisor/board.json"' in page
    board = json.loads(sign_in(web_app, web_centre, "supervisor").get(
        "/supervisor/board.json").text)
    assert [agent["code"] for agent in board["agents"]] == [mine]
    assert {"agents", "calls", "campaigns", "backlog", "refused", "dialing"} <= set(board)
    codes = {campaign["code"] for campaign in board["campaigns"]}
    assert len(codes) == 2, "campaigns are the centre's: every supervisor sees both"
    assert any("3.12" in campaign["outcomes"] or campaign["outcomes"] == "—"
               for campaign in board["campaigns"])
    everyone = json.loads(sign_in(web_app, web_centre, "admin").get(
        "/supervisor/board.json").text)
    assert {agent["code"] for agent in everyone["agents"]} == {mine, theirs}
    other = json.loads(sign_in(web_app, web_centre, "other_supervisor").get(
        "/supervisor/board.json").text)
    assert [agent["code"] for agent in other["agents"]] == [theirs]


def test_stop_all_dialing_the_waiting_agent_gets_no_call_until_resumed(
        web_app: Flask, web_centre: WebCentre) -> None:
    desk = _desk(web_app, web_centre)
    worker = DialingService(web_centre.engine, SimBackend(seed=3, rates=callflow.ALL_ANSWER))
    stopped = desk.post("/supervisor/dialing", {"stop": "1", "reason": "drill in wing B"})
    assert stopped.status_code == 302
    with transaction(web_centre.engine) as session:
        switch = dialing_state(session)
        assert switch.stopped and switch.changed_by == "supervisor:web-supervisor"
        kinds = list(session.scalars(select(TraceEvent.kind).where(
            TraceEvent.kind == "dialing_stopped", TraceEvent.actor == switch.changed_by)))
        assert len(kinds) == 2, "traced in the chain of each campaign not finished"
    board = json.loads(desk.get("/supervisor/board.json").text)
    assert board["dialing"]["stopped"] and "drill in wing B" in board["dialing"]["detail"]
    _due_contact(web_centre)
    console = Workstation(sign_in(web_app, web_centre, "agent"))
    console.get("/agent/")
    console.post("/agent/ready")
    assert worker.run_once().stopped
    assert _open_attempts(web_centre) == []
    waiting = console.get("/agent/")
    assert waiting.status_code == 200 and 'class="flash warning" role="alert"' in waiting.text
    assert '<meta http-equiv="refresh"' in waiting.text, "the waiting console looks again"
    board = json.loads(desk.get("/supervisor/board.json").text)
    assert [agent["state"] for agent in board["agents"]] == ["waiting"]
    resumed = desk.post("/supervisor/dialing", {"resume": "1", "reason": "drill over"})
    assert resumed.status_code == 302
    report = worker.run_once()
    assert report.served == [web_centre.agents["agent"]]
    assert len(_open_attempts(web_centre)) == 1
    _end_open_calls(web_centre)


def test_ending_live_calls_here_and_dialing_again_after_a_resume_elsewhere(
        web_app: Flask, web_centre: WebCentre, tmp_path: object) -> None:
    _due_contact(web_centre)
    with time_machine.travel(utc_now(), tick=True) as traveller:
        console = Workstation(sign_in(web_app, web_centre, "agent"))
        console.get("/agent/")
        console.post("/agent/ready")  # progressive, every call answered
        [live] = _open_attempts(web_centre)
        traveller.shift(dt.timedelta(minutes=1))  # the respondent is on the line by now
        desk = _desk(web_app, web_centre)
        stopped = desk.post("/supervisor/dialing",
                            {"stop": "1", "end_live_calls": "y", "reason": "fire"})
        assert stopped.status_code == 302
        with transaction(web_centre.engine) as session:
            attempt = session.get(Attempt, live)
            assert attempt is not None and attempt.ended_at is not None, "hung up at once"
        assert "1 call going on was hung up" in desk.get("/supervisor/").text
        other_process = create_app(app_config(web_centre, tmp_path))
        _desk(other_process, web_centre, "admin").post("/supervisor/dialing", {"resume": "1"})
        _due_contact(web_centre)
        assert console.get("/agent/").status_code == 200
        console.post("/agent/ready")  # this process's backend was stopped: it follows
        [placed] = _open_attempts(web_centre)
        with transaction(web_centre.engine) as session:
            attempt = session.get(Attempt, placed)
            assert attempt is not None and attempt.refusal is None and attempt.dialed_at
    _end_open_calls(web_centre)


def test_a_dialing_form_without_a_button_changes_nothing(web_app: Flask,
                                                         web_centre: WebCentre) -> None:
    desk = _desk(web_app, web_centre)
    refused = desk.post("/supervisor/dialing", {"reason": "which?"})
    assert refused.status_code == 422 and "Press one of the buttons" in refused.text
    with transaction(web_centre.engine) as session:
        assert not dialing_state(session).stopped


def test_every_supervisor_controls_every_campaign_and_changes_are_traced(
        web_app: Flask, web_centre: WebCentre) -> None:
    theirs = web_centre.campaigns["theirs"]
    desk = _desk(web_app, web_centre)
    page = desk.get("/supervisor/campaigns")
    assert f"/supervisor/campaigns/{theirs}/state" in page.text
    paused = desk.post(f"/supervisor/campaigns/{theirs}/state",
                       {"pause": "1", "reason": "client's request"})
    assert paused.status_code == 302
    again = desk.post(f"/supervisor/campaigns/{theirs}/state", {"pause": "1"})
    assert again.status_code == 409 and "cannot make that change now" in again.text
    other = _desk(web_app, web_centre, "other_supervisor")
    assert other.post(f"/supervisor/campaigns/{theirs}/state",
                      {"resume": "1"}).status_code == 302
    with transaction(web_centre.engine) as session:
        campaign = session.get(Campaign, theirs)
        assert campaign is not None and campaign.state is CampaignState.RUNNING
        events = [(e.kind, e.actor, e.data["reason"]) for e in session.scalars(
            select(TraceEvent).where(TraceEvent.campaign_id == theirs,
                                     TraceEvent.kind.like("campaign_%"))
            .order_by(TraceEvent.seq))]
    assert events == [("campaign_paused", "supervisor:web-supervisor", "client's request"),
                      ("campaign_resumed", "supervisor:web-other-supervisor", "")]


def test_languages_skills_and_shifts_of_an_agent_of_the_site(
        web_app: Flask, web_centre: WebCentre) -> None:
    agent = web_centre.agents["agent"]
    desk = _desk(web_app, web_centre)
    page = desk.get(f"/supervisor/agents/{agent}")
    assert 'name="level_ru"' in page.text and 'name="level_sq"' in page.text
    saved = desk.post(f"/supervisor/agents/{agent}/languages",
                      {"level_ru": "native", "level_tr": "native", "level_sq": "working"})
    assert saved.status_code == 302
    desk.get(f"/supervisor/agents/{agent}")
    assert desk.post(f"/supervisor/agents/{agent}/languages", {}).status_code == 422
    assert "speaks at least one language" in desk.received[-1][1].text
    assert desk.post(f"/supervisor/agents/{agent}/skills",
                     {"skills": "refusal_conversion, mentor"}).status_code == 302
    refused = desk.post(f"/supervisor/agents/{agent}/skills", {"skills": "Bad-Skill"})
    assert refused.status_code == 422 and "Bad-Skill" in html.unescape(refused.text)
    added = desk.post(f"/supervisor/agents/{agent}/shifts",
                      {"weekday": "6", "start": "22:00", "end": "06:00"})
    assert added.status_code == 302
    for bad in ({"weekday": "6", "start": "22:00", "end": "22:00"},
                {"weekday": "6", "start": "25:00", "end": "06:00"},
                {"weekday": "9", "start": "08:00", "end": "09:00"}):
        assert desk.post(f"/supervisor/agents/{agent}/shifts", bad).status_code == 422
    with transaction(web_centre.engine) as session:
        found = session.get(Agent, agent)
        assert found is not None
        assert {(s.language, s.level.value) for s in found.languages} == {
            ("ru", "native"), ("tr", "native"), ("sq", "working")}
        assert sorted(s.skill for s in found.skills) == ["mentor", "refusal_conversion"]
        night = next(s for s in found.shifts if s.weekday == 6 and s.start == dt.time(22))
        assert night.end == dt.time(6)
        night_id = night.id
        theirs = session.scalars(select(Shift.id).where(
            Shift.agent_id == web_centre.agents["other_agent"])).first()
    forged = desk.post(f"/supervisor/agents/{agent}/shifts/remove", {"shift": str(theirs)})
    assert forged.status_code == 404, "another agent's shift, named through mine"
    assert desk.post(f"/supervisor/agents/{agent}/shifts/remove",
                     {"shift": str(night_id)}).status_code == 302
    with transaction(web_centre.engine) as session:
        assert session.get(Shift, theirs) is not None and session.get(Shift, night_id) is None


def test_another_site_s_agent_is_not_there(web_app: Flask, web_centre: WebCentre) -> None:
    other = _desk(web_app, web_centre, "other_supervisor")
    agent = web_centre.agents["agent"]
    assert other.get(f"/supervisor/agents/{agent}").status_code == 404
    other.get("/supervisor/")
    assert other.post(f"/supervisor/agents/{agent}/exclusions",
                      {"number": "+32470112233", "reason": "x"}).status_code == 404
    with transaction(web_centre.engine) as session:
        assert session.scalars(select(AgentExclusion).where(
            AgentExclusion.agent_id == agent)).all() == []


def test_an_exclusion_typed_is_never_shown_again(web_app: Flask, web_centre: WebCentre
                                                 ) -> None:
    agent = web_centre.agents["agent"]
    desk = _desk(web_app, web_centre)
    desk.get(f"/supervisor/agents/{agent}")
    assert desk.post(f"/supervisor/agents/{agent}/exclusions",
                     {"number": EXCLUDED, "reason": "victim's family"}).status_code == 302
    page = desk.get(f"/supervisor/agents/{agent}")
    shown = html.unescape(page.text)
    assert "+32 4•• •• •• 77" in shown and "victim's family" in shown
    for typed in ("+32 0471", "0470998876", "+99 123"):
        refused = desk.post(f"/supervisor/agents/{agent}/exclusions",
                            {"number": typed, "reason": "x"})
        assert refused.status_code == 422 and "international form" in refused.text
    missing_reason = desk.post(f"/supervisor/agents/{agent}/exclusions",
                               {"number": "+32470998875"})
    assert missing_reason.status_code == 422
    with transaction(web_centre.engine) as session:
        assert list(session.scalars(select(AgentExclusion.prefix).where(
            AgentExclusion.agent_id == agent))) == ["+32470998877"]
    scanner = NumberScanner(["+32470998877", "+32470998876", "+32470998875"])
    assert [leak for where, text in desk.texts() for leak in scanner.scan(where, text)] == []


def test_the_review_of_an_interview_and_a_correction(web_app: Flask,
                                                     web_centre: WebCentre) -> None:
    interview = web_centre.interviews["agent"]
    desk = _desk(web_app, web_centre)
    listed = desk.get("/supervisor/interviews")
    assert f"/supervisor/interviews/{interview}" in listed.text
    other = _desk(web_app, web_centre, "other_supervisor")
    assert f"/supervisor/interviews/{interview}" not in other.get("/supervisor/interviews").text
    page = desk.get(f"/supervisor/interviews/{interview}")
    text = html.unescape(page.text)
    assert "Trace intact" in text and "answer_withdrawn" in text and "withdrawn" in text
    assert 'lang="tr"' in page.text
    form = desk.get(f"/supervisor/interviews/{interview}?question=services")
    assert 'name="answer"' in form.text and 'value="4"' in form.text
    corrected = desk.post(f"/supervisor/interviews/{interview}/corrections",
                          {"question": "services", "answer": ["1", "3"],
                           "reason": "heard on the recording"})
    assert corrected.status_code == 302
    refused = desk.post(f"/supervisor/interviews/{interview}/corrections",
                        {"question": "services", "answer": [], "reason": "nothing?"})
    assert refused.status_code == 422 and "Not recorded" in refused.text
    unreasoned = desk.post(f"/supervisor/interviews/{interview}/corrections",
                           {"question": "services", "answer": ["2"]})
    assert unreasoned.status_code == 422
    not_asked = desk.post(f"/supervisor/interviews/{interview}/corrections",
                          {"question": "nps", "answer": "9", "reason": "x"})
    assert not_asked.status_code == 422
    with transaction(web_centre.engine) as session:
        rows = [(r.kind, r.value, r.actor) for r in session.scalars(
            select(AnswerRecord).where(AnswerRecord.interview_id == interview,
                                       AnswerRecord.question_id == "services")
            .order_by(AnswerRecord.id))]
        event = session.scalars(select(TraceEvent).where(
            TraceEvent.interview_id == interview).order_by(TraceEvent.seq.desc())).first()
    assert rows[-1] == (AnswerKind.CORRECTED, [1, 3], "supervisor:web-supervisor")
    assert len(rows) == 4, "given, withdrawn, given, corrected: nothing overwritten"
    assert event is not None and event.kind == "answer_corrected"
    assert (event.data["was"], event.data["value"]) == ([1, 4], [1, 3])
    whole = desk.get(f"/supervisor/interviews/{interview}?chain=whole")
    assert "whole chain was verified: intact" in whole.text


def test_a_correction_after_the_agent_went_back_at_the_end_of_the_call(
        web_app: Flask, web_centre: WebCentre) -> None:
    """The known bug: the agent went back, the call ended there; the correction is taken."""
    contact = _due_contact(web_centre)
    with time_machine.travel(utc_now(), tick=True) as traveller:
        console = Workstation(sign_in(web_app, web_centre, "agent"))
        console.get("/agent/")
        console.post("/agent/ready")
        [attempt] = _open_attempts(web_centre)
        call = f"/agent/calls/{attempt}"
        answered(console, call, traveller)
        console.post(f"{call}/begin")
        console.get(call)
        for question, value in (("consent", "1"), ("services", ["1", "2"])):
            give(console, call, question, value)
            console.get(call)
        console.post(f"{call}/back")  # overall_satisfaction was shown; services asked again
        console.get(call)
        ended = console.post(f"{call}/end", {"outcome": "break_off", "pause": "1"})
        assert ended.status_code == 302
    with transaction(web_centre.engine) as session:
        interview_id = session.scalars(select(Interview.id).where(
            Interview.contact_id == contact)).one()
    _end_open_calls(web_centre)
    desk = _desk(web_app, web_centre)
    assert desk.get(f"/supervisor/interviews/{interview_id}").status_code == 200
    corrected = desk.post(f"/supervisor/interviews/{interview_id}/corrections",
                          {"question": "consent", "answer": "1", "reason": "confirmed"})
    assert corrected.status_code == 302, corrected.text[:300]


def test_no_page_a_supervisor_receives_holds_a_full_number(
        web_app: Flask, web_centre: WebCentre) -> None:
    stations = [_desk(web_app, web_centre, who) for who in ("supervisor", "admin")]
    for station in stations:
        for url in ("/supervisor/", "/supervisor/board.json", "/supervisor/campaigns",
                    "/supervisor/interviews",
                    f"/supervisor/interviews/{web_centre.interviews['agent']}",
                    f"/supervisor/interviews/{web_centre.interviews['agent']}?chain=whole",
                    f"/supervisor/interviews/{web_centre.interviews['agent']}?question=consent",
                    f"/supervisor/agents/{web_centre.agents['agent']}"):
            assert station.get(url).status_code == 200, url
    with transaction(web_centre.engine) as session:
        contacts = list(session.execute(select(Contact.phone_e164, Contact.masked_number)))
        excluded = list(session.scalars(select(AgentExclusion.prefix)))
    scanner = NumberScanner([number for number, _masked in contacts] + excluded)
    texts = [item for station in stations for item in station.texts()]
    assert [leak for where, text in texts for leak in scanner.scan(where, text)] == []
    shown = "\n".join(html.unescape(text) for _where, text in texts)
    assert any(masked in shown for _number, masked in contacts), "the pages show masked ones"
    assert scanner.scan("planted", f"<td>{contacts[0][0]}</td>")


def test_errors_are_in_the_supervisor_s_language(web_app: Flask, web_centre: WebCentre
                                                 ) -> None:
    with transaction(web_centre.engine) as session:
        session.execute(update(User).where(User.login == web_centre.logins["supervisor"])
                        .values(interface_language="fr"))
    try:
        desk = _desk(web_app, web_centre)
        assert re.search(r'<html lang="fr"', desk.received[-1][1].text)
        agent = web_centre.agents["agent"]
        desk.get(f"/supervisor/agents/{agent}")
        refused = desk.post(f"/supervisor/agents/{agent}/shifts",
                            {"weekday": "1", "start": "8h", "end": "09:00"})
        assert refused.status_code == 422
        assert "Écrivez une heure au format HH:MM." in html.unescape(refused.text)
        assert "Tableau de bord en direct" in html.unescape(desk.get("/supervisor/").text)
    finally:
        with transaction(web_centre.engine) as session:
            session.execute(update(User).where(User.login == web_centre.logins["supervisor"])
                            .values(interface_language="en"))


@pytest.mark.parametrize("principal", ["agent", "client", "anonymous"])
def test_the_board_s_json_is_for_staff_only(web_app: Flask, web_centre: WebCentre,
                                            principal: str) -> None:
    response = sign_in(web_app, web_centre, principal).get("/supervisor/board.json")
    assert response.status_code == (302 if principal == "anonymous" else 403)
    assert "agents" not in response.text
