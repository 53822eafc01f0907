"""The partner API's access matrix, from the attacker's side: every route of the API with no
token, a malformed one, an unknown one, a revoked one, an expired one, a token of another
campaign, forged campaign codes, the token sent other ways than the bearer header, and the
session cookie of every role, with and without a token. SQLite and PostgreSQL.

The cookie rows of every route are also in tests/web/test_access_matrix.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from dialer.db import transaction
from dialer.models import PartnerToken, utc_now
from results.partner_tokens import issue_token, revoke_token
from tests.web.centre import PRINCIPALS, WebCentre, sign_in

#: The API's routes that need a token (path of the campaign ``mine`` where one is named).
TOKEN_ROUTES = {
    "api.campaigns": lambda codes: "/api/v1/campaigns",
    "api.interviews": lambda codes: f"/api/v1/campaigns/{codes['mine']}/interviews",
    "api.rates": lambda codes: f"/api/v1/campaigns/{codes['mine']}/rates",
}
FORGED_CODES = ("FORGED-987654", "mine", "CAMP", "%", "a" * 41, "../campaigns")


@dataclass(frozen=True)
class Tokens:
    """Token texts by situation."""

    valid: str
    other_campaign: str
    revoked: str
    expired: str
    both: str


@pytest.fixture(scope="module")
def tokens(web_centre: WebCentre) -> Tokens:
    codes = web_centre.campaign_codes
    now = utc_now()
    with transaction(web_centre.engine) as session:
        made = {name: issue_token(session, name, campaigns, "admin:web-admin", now)
                for name, campaigns in (("valid", [codes["mine"]]),
                                        ("other_campaign", [codes["theirs"]]),
                                        ("revoked", [codes["mine"]]),
                                        ("expired", [codes["mine"]]),
                                        ("both", [codes["mine"], codes["theirs"]]))}
        revoke_token(session, made["revoked"].token.key, "admin:web-admin", now)
        expired = session.get(PartnerToken, made["expired"].token.id)
        assert expired is not None
        expired.expires_at = now - dt.timedelta(seconds=1)
    return Tokens(**{name: issued.text for name, issued in made.items()})


def bearer(text: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {text}"}


#: (situation, headers from the tokens, status on the client's campaign, error code)
SITUATIONS: list[tuple[str, Callable[[Tokens], dict[str, str]], int, str | None]] = [
    ("no token", lambda t: {}, 401, "token_missing"),
    ("empty bearer", lambda t: {"Authorization": "Bearer "}, 401, "token_missing"),
    ("basic scheme", lambda t: {"Authorization": f"Basic {t.valid}"}, 401, "token_missing"),
    ("token without scheme", lambda t: {"Authorization": t.valid}, 401, "token_missing"),
    ("token in another header", lambda t: {"X-Api-Key": t.valid}, 401, "token_missing"),
    ("malformed", lambda t: bearer("not-a-token"), 401, "token_invalid"),
    ("unknown", lambda t: bearer("sep_abcdefghij_" + "A" * 43), 401, "token_invalid"),
    ("tampered", lambda t: bearer(t.valid[:-2] + ("xy" if t.valid[-2:] != "xy" else "yz")),
     401, "token_invalid"),
    ("revoked", lambda t: bearer(t.revoked), 401, "token_revoked"),
    ("expired", lambda t: bearer(t.expired), 401, "token_expired"),
    ("another campaign's", lambda t: bearer(t.other_campaign), 404, "campaign_not_found"),
    ("valid", lambda t: bearer(t.valid), 200, None),
    ("lower-case scheme", lambda t: {"Authorization": f"bearer {t.valid}"}, 200, None),
    ("both campaigns", lambda t: bearer(t.both), 200, None),
]


def _client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    return client


@pytest.mark.parametrize("route", sorted(TOKEN_ROUTES))
@pytest.mark.parametrize(("situation", "headers", "status", "code"), SITUATIONS,
                         ids=[row[0] for row in SITUATIONS])
def test_each_route_answers_each_token_as_the_matrix_says(
        web_app: Flask, web_centre: WebCentre, tokens: Tokens, route: str, situation: str,
        headers: Callable[[Tokens], dict[str, str]], status: int, code: str | None) -> None:
    url = TOKEN_ROUTES[route](web_centre.campaign_codes)
    expected = 200 if route == "api.campaigns" and status == 404 else status
    response = _client(web_app).get(url, headers=headers(tokens))
    assert response.status_code == expected, response.text
    assert response.mimetype == "application/json"
    if expected != 200:
        assert response.json is not None and response.json["code"] == code
        assert set(response.json) == {"code", "message"}
    if expected == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer ")


def test_a_token_lists_only_its_own_campaigns(web_app: Flask, web_centre: WebCentre,
                                              tokens: Tokens) -> None:
    codes = web_centre.campaign_codes
    for token, expected in ((tokens.valid, [codes["mine"]]),
                            (tokens.other_campaign, [codes["theirs"]]),
                            (tokens.both, sorted(codes.values()))):
        listed = _client(web_app).get("/api/v1/campaigns", headers=bearer(token)).json
        assert listed is not None
        assert [campaign["code"] for campaign in listed["campaigns"]] == expected


@pytest.mark.parametrize("route", ["interviews", "rates"])
@pytest.mark.parametrize("forged", FORGED_CODES)
def test_forged_campaign_codes_are_not_found(web_app: Flask, tokens: Tokens, route: str,
                                             forged: str) -> None:
    response = _client(web_app).get(f"/api/v1/campaigns/{forged}/{route}",
                                    headers=bearer(tokens.both))
    assert response.status_code == 404, response.text
    assert response.json is not None and response.json["code"] in ("campaign_not_found",
                                                                   "not_found")


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("route", sorted(TOKEN_ROUTES))
def test_a_browser_session_never_authenticates_the_api(
        web_app: Flask, web_centre: WebCentre, tokens: Tokens, principal: str, route: str
) -> None:
    client = sign_in(web_app, web_centre, principal)
    url = TOKEN_ROUTES[route](web_centre.campaign_codes)
    alone = client.get(url)
    assert alone.status_code == 401 and alone.json is not None
    assert alone.json["code"] == "token_missing"
    # With a cookie of any role, the token alone decides: its scope, not the role's.
    other = client.get(url, headers=bearer(tokens.other_campaign))
    assert other.status_code == (200 if route == "api.campaigns" else 404)
    assert client.get(url, headers=bearer(tokens.revoked)).status_code == 401


def test_the_token_is_not_taken_from_the_query_string_or_a_form(
        web_app: Flask, web_centre: WebCentre, tokens: Tokens) -> None:
    url = TOKEN_ROUTES["api.interviews"](web_centre.campaign_codes)
    client = _client(web_app)
    for name in ("access_token", "token", "api_key"):
        response = client.get(f"{url}?{name}={tokens.valid}")
        assert response.status_code == 401, name
    posted = client.post(url, data={"access_token": tokens.valid})
    assert posted.status_code == 405 and posted.json is not None
    assert posted.json["code"] == "method_not_allowed"


def test_the_description_is_open_and_every_other_api_path_answers_in_json(
        web_app: Flask, tokens: Tokens) -> None:
    client = _client(web_app)
    described = client.get("/api/v1/openapi.json")
    assert described.status_code == 200 and described.json is not None
    assert described.json["openapi"].startswith("3.")
    for path in ("/api/v1/", "/api/v1/nothing", "/api/v2/campaigns", "/api/v1/campaigns/x/y"):
        response = client.get(path, headers=bearer(tokens.valid))
        assert response.status_code == 404 and response.json is not None, path
        assert response.json["code"] == "not_found"
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


@pytest.mark.parametrize(("language", "words"), [("ru", "токен партнёра"), ("fr", "jeton"),
                                                 ("nl-BE", "partnertoken"), ("en", "token")])
def test_messages_follow_accept_language_and_codes_do_not(
        web_app: Flask, tokens: Tokens, language: str, words: str) -> None:
    client = _client(web_app)
    for headers, code in (({}, "token_missing"), (bearer(tokens.revoked), "token_revoked")):
        response = client.get("/api/v1/campaigns",
                              headers={**headers, "Accept-Language": language})
        assert response.json is not None and response.json["code"] == code
        assert words in response.json["message"]
