"""The access-control matrix, from the attacker's side: every route of the URL map, for every
role and for nobody signed in, with the objects of someone else and forged ids.

A route added to the application without its rows here fails
:func:`test_every_route_is_in_the_matrix`; a row for a route that no longer exists fails it
too. Statuses: 200 shown, 302 sent on (a form done, or nobody signed in sent to sign in),
400 a form refused, 401 a form sent by nobody signed in, 403 another role's page, 404 an
object that is not the principal's (the same answer as an id that does not exist).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from dialer.db import transaction
from dialer.models import utc_now
from results.partner_tokens import issue_token
from tests.web.centre import PRINCIPALS, WebCentre, csrf_of, sign_in

ALL = dict.fromkeys(PRINCIPALS, 200)
FORGED = 987654


def only(allowed: dict[str, int], otherwise: int, anonymous: int) -> dict[str, int]:
    """``allowed`` principals get their status, the others ``otherwise``, nobody
    ``anonymous``."""
    return {principal: allowed.get(principal, otherwise) for principal in PRINCIPALS} | {
        "anonymous": anonymous}


AGENTS_PAGE = only({"agent": 200, "other_agent": 200}, 403, 302)
AGENTS_FORM = only({"agent": 302, "other_agent": 302}, 403, 401)
#: An agent's own call, someone else's, and one that does not exist.
OWN_CALL = only({"agent": 200, "other_agent": 404}, 403, 302)
FORGED_CALL = only({"agent": 404, "other_agent": 404}, 403, 302)
OWN_CALL_FORM = only({"agent": 302, "other_agent": 404}, 403, 401)
FORGED_CALL_FORM = only({"agent": 404, "other_agent": 404}, 403, 401)
SUPERVISORS = only({"supervisor": 200, "other_supervisor": 200, "admin": 200}, 403, 302)
SITE_AGENT = only({"supervisor": 200, "other_supervisor": 404, "admin": 200}, 403, 302)
FORGED_AGENT = only({"supervisor": 404, "other_supervisor": 404, "admin": 404}, 403, 302)
CLIENTS = only({"client": 200, "other_client": 200, "admin": 200}, 403, 302)
OWN_CAMPAIGN = only({"client": 200, "other_client": 404, "admin": 200}, 403, 302)
FORGED_CAMPAIGN = only({"client": 404, "other_client": 404, "admin": 404}, 403, 302)
ADMINS = only({"admin": 200}, 403, 302)
#: An administrator's form sent empty (422: the form is shown again with its errors).
ADMINS_FORM = only({"admin": 422}, 403, 401)
#: A partner-API route asked with a session cookie and no token: refused, whoever it is.
NO_TOKEN = dict.fromkeys(PRINCIPALS, 401)


@dataclass(frozen=True)
class Case:
    """One request of the matrix: a route, a method, the URL to ask, what each gets."""

    endpoint: str
    method: str
    url: Callable[[WebCentre], str]
    expect: dict[str, int]
    name: str = ""

    @property
    def id(self) -> str:
        return f"{self.endpoint}-{self.method}{'-' + self.name if self.name else ''}"


def call(key: str, tail: str = "") -> Callable[[WebCentre], str]:
    """The URL of the agent's (``agent``) ended call, of ``other_agent``'s, or a forged id."""
    def url(centre: WebCentre) -> str:
        attempt = FORGED if key == "forged" else centre.attempts[key]
        return f"/agent/calls/{attempt}{tail}"
    return url


def fixed(path: str) -> Callable[[WebCentre], str]:
    return lambda centre: path


def api_campaign(key: str, route: str) -> Callable[[WebCentre], str]:
    """A partner-API route of the client's campaign (``mine``) or of a forged code."""
    def url(centre: WebCentre) -> str:
        code = "FORGED-987654" if key == "forged" else centre.campaign_codes[key]
        return f"/api/v1/campaigns/{code}/{route}"
    return url


def new_token_to_revoke(centre: WebCentre) -> str:
    """The revocation URL of a token issued for the client's campaign just now."""
    with transaction(centre.engine) as session:
        issued = issue_token(session, "matrix", [centre.campaign_codes["mine"]], "cli:test",
                             utc_now())
        return f"/admin/api-tokens/{issued.token.key}/revoke"


# --- the client portal: every route, own objects, someone else's, forged ids ----------------
#: A form of the portal sent empty (with its token): refused on its fields (422).
CLIENTS_FORM = only({"client": 422, "other_client": 422, "admin": 422}, 403, 401)
OWN_FORM = only({"client": 422, "other_client": 404, "admin": 422}, 403, 401)
FORGED_FORM = only({"client": 404, "other_client": 404, "admin": 404}, 403, 401)


def mine(kind: str, tail: str = "") -> Callable[[WebCentre], str]:
    """The URL of the client's own questionnaire (``kind`` = ``questionnaires``), campaign
    or import, with ``tail``; the other client is refused it."""
    def url(centre: WebCentre) -> str:
        ident = {"questionnaires": centre.questionnaires, "campaigns": centre.campaigns,
                 "imports": centre.imports}[kind]["mine"]
        return f"/client/{kind}/{ident}{tail}"
    return url


def forged(kind: str, tail: str = "") -> Callable[[WebCentre], str]:
    return fixed(f"/client/{kind}/{FORGED}{tail}")


#: (endpoint, method, kind of object, tail of the URL, status for the owner's side)
_OWNED = [
    ("client.questionnaire", "GET", "questionnaires", "", OWN_CAMPAIGN, FORGED_CAMPAIGN),
    ("client.template", "GET", "questionnaires", "/template.pot", OWN_CAMPAIGN,
     FORGED_CAMPAIGN),
    ("client.preview_questionnaire", "GET", "questionnaires", "/preview?lang=fr",
     OWN_CAMPAIGN, FORGED_CAMPAIGN),
    ("client.upload_catalog", "POST", "questionnaires", "/catalogs", OWN_FORM, FORGED_FORM),
    ("client.scripts", "GET", "questionnaires", "/interviews", OWN_CAMPAIGN, FORGED_CAMPAIGN),
    ("client.run_scripts", "POST", "questionnaires", "/interviews", OWN_FORM, FORGED_FORM),
    ("client.new_campaign", "GET", "questionnaires", "/campaigns/new", OWN_CAMPAIGN,
     FORGED_CAMPAIGN),
    ("client.create_campaign", "POST", "questionnaires", "/campaigns/new", OWN_FORM,
     FORGED_FORM),
    ("client.import_contacts", "POST", "campaigns", "/contacts", OWN_FORM, FORGED_FORM),
    ("client.rejections", "GET", "imports", "/rejections.csv", OWN_CAMPAIGN, FORGED_CAMPAIGN),
    ("client.export", "GET", "campaigns", "/export?format=jsonl", OWN_CAMPAIGN,
     FORGED_CAMPAIGN),
    ("client.rates", "GET", "campaigns", "/rates.csv", OWN_CAMPAIGN, FORGED_CAMPAIGN),
    ("client.report", "GET", "campaigns", "/report.html", OWN_CAMPAIGN, FORGED_CAMPAIGN),
]
CLIENT_PORTAL = [
    Case("client.new_questionnaire", "GET", fixed("/client/questionnaires/new"), CLIENTS),
    Case("client.upload_questionnaire", "POST", fixed("/client/questionnaires/new"),
         CLIENTS_FORM, "empty"),
    *(Case(endpoint, method, url(kind, tail), expect, name)
      for endpoint, method, kind, tail, own, forged_expect in _OWNED
      for url, expect, name in ((mine, own, "own"), (forged, forged_expect, "forged"))),
]


# --- the supervisor desk ---------------------------------------------------------------------
#: A form of the desk sent empty (only its token): refused as incomplete (422), done (302).
STAFF_FORM = only({"supervisor": 422, "other_supervisor": 422, "admin": 422}, 403, 401)
#: The forms of an agent of site A (``agent``), and of an agent that does not exist.
SITE_AGENT_FORM = only({"supervisor": 422, "other_supervisor": 404, "admin": 422}, 403, 401)
SITE_AGENT_DONE = only({"supervisor": 302, "other_supervisor": 404, "admin": 302}, 403, 401)
FORGED_AGENT_FORM = only({"supervisor": 404, "other_supervisor": 404, "admin": 404}, 403, 401)
#: An interview of site A (by ``agent``), and one that does not exist.
SITE_INTERVIEW = SITE_AGENT
FORGED_INTERVIEW = FORGED_AGENT


def agent_url(tail: str) -> Callable[[WebCentre], str]:
    return lambda centre: f"/supervisor/agents/{centre.agents['agent']}{tail}"


def interview_url(tail: str = "") -> Callable[[WebCentre], str]:
    return lambda centre: f"/supervisor/interviews/{centre.interviews['agent']}{tail}"


SUPERVISOR_DESK = [
    Case("supervisor.board_json", "GET", fixed("/supervisor/board.json"), SUPERVISORS),
    Case("supervisor.dialing", "POST", fixed("/supervisor/dialing"), STAFF_FORM),
    Case("supervisor.campaigns", "GET", fixed("/supervisor/campaigns"), SUPERVISORS),
    # campaigns are the centre's: every supervisor controls each, of either client
    *(Case("supervisor.campaign_state", "POST",
           lambda centre, key=key: f"/supervisor/campaigns/{centre.campaigns[key]}/state",
           STAFF_FORM, key) for key in ("mine", "theirs")),
    Case("supervisor.campaign_state", "POST", fixed(f"/supervisor/campaigns/{FORGED}/state"),
         FORGED_AGENT_FORM, "forged"),
    *(Case(f"supervisor.{endpoint}", "POST", agent_url(tail), expect, "site")
      for endpoint, tail, expect in (
          ("agent_languages", "/languages", SITE_AGENT_FORM),
          ("agent_skills", "/skills", SITE_AGENT_DONE),  # sent empty: no skills, as before
          ("agent_shift", "/shifts", SITE_AGENT_FORM),
          ("agent_shift_remove", "/shifts/remove", SITE_AGENT_FORM),
          ("agent_exclusion", "/exclusions", SITE_AGENT_FORM))),
    *(Case(f"supervisor.{endpoint}", "POST", fixed(f"/supervisor/agents/{FORGED}{tail}"),
           FORGED_AGENT_FORM, "forged")
      for endpoint, tail in (("agent_languages", "/languages"), ("agent_skills", "/skills"),
                             ("agent_shift", "/shifts"),
                             ("agent_shift_remove", "/shifts/remove"),
                             ("agent_exclusion", "/exclusions"))),
    Case("supervisor.interviews", "GET", fixed("/supervisor/interviews"), SUPERVISORS),
    Case("supervisor.interview", "GET", interview_url(), SITE_INTERVIEW, "site"),
    Case("supervisor.interview", "GET", fixed(f"/supervisor/interviews/{FORGED}"),
         FORGED_INTERVIEW, "forged"),
    Case("supervisor.correction", "POST", interview_url("/corrections"), SITE_AGENT_FORM,
         "site"),
    Case("supervisor.correction", "POST", fixed(f"/supervisor/interviews/{FORGED}/corrections"),
         FORGED_AGENT_FORM, "forged"),
]

CASES = [
    Case("main.index", "GET", fixed("/"), dict.fromkeys(PRINCIPALS, 302)),
    Case("main.health", "GET", fixed("/healthz"), ALL),
    Case("static", "GET", fixed("/static/keys.js"), ALL),
    Case("auth.login", "GET", fixed("/login"), ALL),
    Case("auth.login", "POST", fixed("/login"), dict.fromkeys(PRINCIPALS, 400), "empty"),
    Case("auth.agent_login", "GET", fixed("/agent/login"), ALL),
    Case("auth.agent_login", "POST", fixed("/agent/login"), dict.fromkeys(PRINCIPALS, 400),
         "empty"),
    Case("auth.logout", "POST", fixed("/logout"), only({}, 302, 401)),
    Case("agent.console", "GET", fixed("/agent/"), AGENTS_PAGE),
    Case("agent.ready", "POST", fixed("/agent/ready"), AGENTS_FORM),
    Case("agent.pause", "POST", fixed("/agent/pause"), AGENTS_FORM),
    Case("agent.call", "GET", call("agent"), OWN_CALL, "own"),
    Case("agent.call", "GET", call("forged"), FORGED_CALL, "forged"),
    *(Case(f"agent.{step}", "POST", call(who, f"/{step}"), expect, who)
      for step in ("dial", "begin", "answer", "back", "end")
      for who, expect in (("agent", OWN_CALL_FORM), ("forged", FORGED_CALL_FORM))),
    Case("supervisor.index", "GET", fixed("/supervisor/"), SUPERVISORS),
    Case("supervisor.agent", "GET",
         lambda centre: f"/supervisor/agents/{centre.agents['agent']}", SITE_AGENT, "site"),
    Case("supervisor.agent", "GET", fixed(f"/supervisor/agents/{FORGED}"), FORGED_AGENT,
         "forged"),
    *SUPERVISOR_DESK,
    Case("client.index", "GET", fixed("/client/"), CLIENTS),
    Case("client.campaign", "GET",
         lambda centre: f"/client/campaigns/{centre.campaigns['mine']}", OWN_CAMPAIGN, "own"),
    Case("client.campaign", "GET", fixed(f"/client/campaigns/{FORGED}"), FORGED_CAMPAIGN,
         "forged"),
    Case("admin.index", "GET", fixed("/admin/"), ADMINS),
    # --- the partner API: a bearer token, never a browser's session, authenticates ---------
    # (the token matrix is tests/web/test_api_access.py)
    Case("api.openapi", "GET", fixed("/api/v1/openapi.json"), ALL),
    Case("api.campaigns", "GET", fixed("/api/v1/campaigns"), NO_TOKEN),
    *(Case(f"api.{route}", "GET", api_campaign(key, route), NO_TOKEN, key)
      for route in ("interviews", "rates") for key in ("mine", "forged")),
    # --- partner tokens, issued and revoked by administrators (tests/web/test_api_tokens_page.py)
    Case("api_tokens.index", "GET", fixed("/admin/api-tokens/"), ADMINS),
    Case("api_tokens.create", "POST", fixed("/admin/api-tokens/"), ADMINS_FORM, "empty"),
    Case("api_tokens.revoke", "POST", new_token_to_revoke, only({"admin": 302}, 403, 401),
         "fresh"),
    Case("api_tokens.revoke", "POST", fixed("/admin/api-tokens/forgedkey0/revoke"),
         only({"admin": 404}, 403, 401), "forged"),
    *CLIENT_PORTAL,
]


def routes(app: Flask) -> set[tuple[str, str]]:
    """Every (endpoint, method) of the application's URL map."""
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}


def test_every_route_is_in_the_matrix(web_app: Flask) -> None:
    covered = {(case.endpoint, case.method) for case in CASES}
    assert routes(web_app) - covered == set(), "routes without a row in the matrix"
    assert covered - routes(web_app) == set(), "rows for routes that do not exist"


def test_forged_ids_are_tried_wherever_a_route_names_an_object(web_app: Flask) -> None:
    with_ids = {rule.endpoint for rule in web_app.url_map.iter_rules()
                if rule.arguments and rule.endpoint != "static"}
    forged = {case.endpoint for case in CASES if case.name == "forged"}
    assert with_ids == forged


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_route_answers_each_principal_as_the_matrix_says(
        web_app: Flask, web_centre: WebCentre, case: Case, principal: str) -> None:
    client = sign_in(web_app, web_centre, principal)
    data: dict[str, Any] = {}
    if case.method == "POST":
        page = client.get("/agent/" if principal.endswith("agent") else "/login")
        data["csrf_token"] = csrf_of(page.text) if "csrf_token" in page.text else \
            csrf_of(client.get("/login").text)
    response = client.open(case.url(web_centre), method=case.method, data=data)
    assert response.status_code == case.expect[principal], response.text[:400]
    if response.status_code == 302 and principal == "anonymous" and case.method == "GET" \
            and case.endpoint not in ("main.index",):
        assert response.headers["Location"].endswith(("/login", "/agent/login"))
