"""Every form needs its CSRF token: each POST route of the URL map is refused with 400 without
one, or with a token from another browser's session, for a principal the route serves, and
nothing happens."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from dialer.db import transaction
from dialer.models import Agent
from tests.web.centre import WebCentre, csrf_of, sign_in
from tests.web.test_access_matrix import CASES, routes

#: Who may use each POST route (a principal the route serves, so only the token is wrong).
POSTER = {"auth.login": "anonymous", "auth.agent_login": "anonymous", "auth.logout": "admin"}


def post_cases() -> list[tuple[str, str]]:
    return sorted({(case.endpoint, case.name) for case in CASES if case.method == "POST"
                   and case.name != "forged"})


def test_every_post_route_is_tried(web_app: Flask) -> None:
    posted = {endpoint for endpoint, method in routes(web_app) if method == "POST"}
    assert posted == {endpoint for endpoint, _name in post_cases()}


@pytest.mark.parametrize(("endpoint", "name"), post_cases())
@pytest.mark.parametrize("token", ["missing", "foreign"])
def test_a_form_without_its_token_is_refused(web_app: Flask, web_centre: WebCentre,
                                             endpoint: str, name: str, token: str) -> None:
    case = next(c for c in CASES if (c.endpoint, c.name) == (endpoint, name)
                and c.method == "POST")
    principal = POSTER.get(endpoint, "client" if endpoint.startswith("client.")
                           else "supervisor" if endpoint.startswith("supervisor.")
                           else "agent")
    client = sign_in(web_app, web_centre, principal)
    data = {"code": "x", "pin": "1234", "login": "x", "password": "y" * 12}
    if token == "foreign":
        other = web_app.test_client()
        data["csrf_token"] = csrf_of(other.get("/login").text)
    with transaction(web_centre.engine) as session:
        before = session.scalar(select(Agent.ready_since).where(
            Agent.id == web_centre.agents["agent"]))
    response = client.post(case.url(web_centre), data=data)
    assert response.status_code == 400
    assert "security token" in response.text
    with transaction(web_centre.engine) as session:
        assert session.scalar(select(Agent.ready_since).where(
            Agent.id == web_centre.agents["agent"])) == before
    if principal != "anonymous":
        assert client.get("/").status_code == 302  # still signed in: nothing was done
