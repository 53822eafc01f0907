"""Sessions and sign-in from the attacker's side: the session is regenerated at sign-in and
ended on the server at sign-out, after the idle and absolute time-outs, at the end of an
agent's shift and when a request comes from another address; agents sign in only from their
site's workstations and on shift; failed sign-ins are throttled per account and per address;
cookies carry Secure, HttpOnly and SameSite; every page has the strict CSP and no inline
script or style."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from dialer.accounts import set_agent_pin
from dialer.db import transaction
from dialer.dispatch import Dispatcher
from dialer.models import (
    Agent,
    LanguageLevel,
    LoginFailure,
    Shift,
    WebSession,
    utc_now,
)
from dialer.passwords import hash_secret
from dialer.people import create_agent
from dialer.presence import PRESENCE
from dialer.telephony.sim import SimBackend
from dialer.worker import DialingService
from survey_engine.web import create_app
from survey_engine.web.i18n import fallback_chain, resolve
from tests.web.centre import ADDRESS, PIN, WebCentre, app_config, csrf_of, sign_in
from tests.web.test_access_matrix import CASES


def _agent_login(client: FlaskClient, code: str, pin: str = PIN) -> TestResponse:
    token = csrf_of(client.get("/agent/login").text)
    return client.post("/agent/login", data={"csrf_token": token, "code": code, "pin": pin})


def _live_sessions(centre: WebCentre, agent_key: str = "agent") -> list[WebSession]:
    with transaction(centre.engine) as session:
        return list(session.scalars(select(WebSession).where(
            WebSession.agent_id == centre.agents[agent_key]).order_by(WebSession.id)))


def test_signing_in_regenerates_the_session_and_signing_out_ends_it(
        web_app: Flask, web_centre: WebCentre) -> None:
    client = web_app.test_client()
    client.environ_base["REMOTE_ADDR"] = ADDRESS
    _agent_login(client, "nobody", "0000")
    before = client.get_cookie("survey_session")
    assert before is not None
    assert _agent_login(client, web_centre.logins["agent"]).status_code == 302
    after = client.get_cookie("survey_session")
    assert after is not None and after.value != before.value
    stolen = after.value
    token = csrf_of(client.get("/agent/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert _live_sessions(web_centre)[-1].end_reason == "logout"
    thief = web_app.test_client()
    thief.environ_base["REMOTE_ADDR"] = ADDRESS
    thief.set_cookie("survey_session", stolen)
    assert thief.get("/agent/").status_code == 302, "a cookie from before sign-out is dead"


def test_an_agent_who_signs_out_while_waiting_is_given_no_call(web_app: Flask,
                                                              web_centre: WebCentre) -> None:
    client = sign_in(web_app, web_centre, "agent")
    dispatcher = Dispatcher(web_centre.engine)
    dispatcher.mark_ready(web_centre.agents["agent"])
    token = csrf_of(client.get("/agent/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    with transaction(web_centre.engine) as session:
        agent = session.get(Agent, web_centre.agents["agent"])
        assert agent is not None and agent.ready_since is None
    assert all(claim.agent_id != web_centre.agents["agent"]
               for claim in dispatcher.serve_waiting())


def test_a_waiting_agent_whose_console_went_silent_is_marked_away(web_app: Flask,
                                                                  web_centre: WebCentre) -> None:
    """A browser closed without signing out: once the agent's session has been silent longer
    than PRESENCE, the worker marks them away, so it dials nothing for them; an agent whose
    console keeps asking keeps waiting."""
    gone, here = web_centre.agents["agent"], web_centre.agents["other_agent"]
    worker = DialingService(web_centre.engine, SimBackend(seed=3), presence=PRESENCE)
    with time_machine.travel(utc_now(), tick=False) as traveller:
        sign_in(web_app, web_centre, "agent")
        console = sign_in(web_app, web_centre, "other_agent")
        with transaction(web_centre.engine) as session:
            session.execute(update(Agent).where(Agent.id.in_([gone, here]))
                            .values(ready_since=utc_now()))
        for _ in range(5):  # the waiting console asks every few seconds; the other is closed
            traveller.shift(PRESENCE / 4)
            assert console.get("/agent/").status_code == 200
        report = worker.run_once()
    assert report.absent == [gone] and gone not in report.served
    with transaction(web_centre.engine) as session:
        waiting = {agent.id: agent.ready_since for agent in session.scalars(select(Agent))}
    assert waiting[gone] is None
    assert here in report.served or waiting[here] is not None


def test_a_second_sign_in_ends_the_agent_s_first_session(web_app: Flask,
                                                         web_centre: WebCentre) -> None:
    first = sign_in(web_app, web_centre, "agent")
    sign_in(web_app, web_centre, "agent")
    assert first.get("/agent/").status_code == 302
    assert _live_sessions(web_centre)[-2].end_reason == "replaced"


def test_idle_and_absolute_time_outs(web_app: Flask, web_centre: WebCentre) -> None:
    with time_machine.travel(utc_now(), tick=False) as traveller:
        client = sign_in(web_app, web_centre, "supervisor")
        traveller.shift(dt.timedelta(minutes=14))
        assert client.get("/supervisor/").status_code == 200
        traveller.shift(dt.timedelta(minutes=16))
        page = client.get("/supervisor/")
        assert page.status_code == 302 and page.headers["Location"].endswith("/login")
        client = sign_in(web_app, web_centre, "supervisor")
        for _ in range(12 * 6 + 1):  # busy all day: never idle, but 12 hours at most
            traveller.shift(dt.timedelta(minutes=10))
            if client.get("/supervisor/").status_code != 200:
                break
        assert client.get("/supervisor/").status_code == 302
    with transaction(web_centre.engine) as session:
        reasons = list(session.scalars(select(WebSession.end_reason).where(
            WebSession.user_id.is_not(None)).order_by(WebSession.id.desc()).limit(2)))
    assert reasons == ["expired", "idle"]


def test_an_agent_is_signed_out_when_the_shift_ends(web_app: Flask,
                                                    web_centre: WebCentre) -> None:
    start = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)  # Tuesday 14:00 in Brussels
    with transaction(web_centre.engine) as session:
        agent = session.get(Agent, web_centre.agents["agent"])
        assert agent is not None
        site_id = agent.site_id
        from dialer.models import Site
        site = session.get(Site, site_id)
        assert site is not None
        short = create_agent(session, site, "WEB-SHIFT", "fr", {"tr": LanguageLevel.NATIVE},
                             shifts=[(1, dt.time(9), dt.time(15))])
        set_agent_pin(session, short, hash_secret(PIN))
    with time_machine.travel(start, tick=False) as traveller:
        client = web_app.test_client()
        client.environ_base["REMOTE_ADDR"] = ADDRESS
        assert _agent_login(client, "WEB-SHIFT").status_code == 302
        for _ in range(5):
            traveller.shift(dt.timedelta(minutes=10))
            assert client.get("/agent/").status_code == 200
        traveller.shift(dt.timedelta(minutes=11))  # 15:01: the shift is over
        page = client.get("/agent/login")
        assert "Votre service est terminé" in page.text, "told in the agent's language"
        assert client.get("/agent/").status_code == 302
        refused = _agent_login(client, "WEB-SHIFT")
        assert refused.status_code == 403 and "pas en service" in refused.text
    with transaction(web_centre.engine) as session:
        ended = session.scalars(select(WebSession).join(Agent, Agent.id == WebSession.agent_id)
                                .where(Agent.code == "WEB-SHIFT")).one()
        assert ended.end_reason == "shift_end"
        assert ended.ended_at == dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
        shifts = session.scalars(select(Shift).where(Shift.agent_id == ended.agent_id)).all()
        assert len(shifts) == 1


def test_agents_sign_in_only_from_their_site_s_workstations(web_app: Flask,
                                                          web_centre: WebCentre) -> None:
    elsewhere = web_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.99.0.7"
    refused = _agent_login(elsewhere, web_centre.logins["agent"])
    assert refused.status_code == 403
    assert "рабочего места" in refused.text, "told in the agent's own language"
    wrong = _agent_login(elsewhere, web_centre.logins["agent"], "1111")
    assert wrong.status_code == 401 and "рабочего" not in wrong.text, \
        "a wrong PIN reveals nothing about the account"
    client = sign_in(web_app, web_centre, "agent")
    client.environ_base["REMOTE_ADDR"] = "10.99.0.8"  # the session taken elsewhere
    assert client.get("/agent/").status_code == 302
    assert _live_sessions(web_centre)[-1].end_reason == "address_changed"


def test_failed_sign_ins_are_throttled_per_account_and_per_address(
        web_app: Flask, web_centre: WebCentre) -> None:
    victim = web_centre.logins["other_agent"]
    attacker = web_app.test_client()
    attacker.environ_base["REMOTE_ADDR"] = "::1"
    for _ in range(5):
        assert _agent_login(attacker, victim, "0000").status_code == 401
    locked = _agent_login(attacker, victim, PIN)
    assert locked.status_code == 429, "locked even with the right PIN"
    owner = web_app.test_client()
    owner.environ_base["REMOTE_ADDR"] = ADDRESS
    assert _agent_login(owner, victim, PIN).status_code == 429, "the account is locked"
    sprayer = web_app.test_client()
    sprayer.environ_base["REMOTE_ADDR"] = "10.20.30.40"
    for index in range(20):
        assert _agent_login(sprayer, f"GUESS-{index}", "1234").status_code == 401
    assert _agent_login(sprayer, "GUESS-NEW", "1234").status_code == 429
    with transaction(web_centre.engine) as session:
        session.execute(LoginFailure.__table__.delete())
    assert _agent_login(owner, victim, PIN).status_code == 302


def test_cookies_are_secure_httponly_and_strict(web_centre: WebCentre, instance: Path) -> None:
    app = create_app({**app_config(web_centre, instance), "SECURE_COOKIES": True})
    client = app.test_client()
    response = client.get("/login", base_url="https://centre.example")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_insecure_cookies_are_warned_about(web_centre: WebCentre, instance: Path,
                                          caplog: pytest.LogCaptureFixture) -> None:
    app = create_app(app_config(web_centre, instance))
    assert "Secure" not in app.test_client().get("/login").headers["Set-Cookie"]
    assert "never on a network" in caplog.text


INLINE = re.compile(r"<script(?![^>]*\bsrc=)|\sstyle=|\son[a-z]+=|javascript:", re.I)


@pytest.mark.parametrize("principal", ["anonymous", "agent", "supervisor", "client", "admin"])
def test_every_page_has_the_strict_policy_and_no_inline_code(
        web_app: Flask, web_centre: WebCentre, principal: str) -> None:
    client = sign_in(web_app, web_centre, principal)
    for case in CASES:
        if case.method != "GET":
            continue
        response = client.get(case.url(web_centre))
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe" not in policy
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        if response.mimetype == "text/html":
            assert INLINE.search(response.text) is None, case.id
            assert response.headers["Cache-Control"] == "no-store"


def test_the_interface_language_falls_back_along_the_chain() -> None:
    assert fallback_chain("nl-BE") == ["nl-BE", "nl", "en"]
    assert fallback_chain("ru") == ["ru", "en"]
    assert resolve("nl-BE") == "nl"
    assert resolve("es") == "en", "no Spanish catalog: English"
    assert resolve("tr") == "tr"


def test_anonymous_pages_follow_the_browser_s_language(web_app: Flask) -> None:
    page = web_app.test_client().get("/agent/login", headers={"Accept-Language": "sq,en;q=0.5"})
    assert 'lang="sq"' in page.text and "Hyrja e operatorit" in page.text
