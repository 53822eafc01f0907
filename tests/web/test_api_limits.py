"""Rate limits of the partner API, in process (memory storage) on SQLite and PostgreSQL:
per token over every route together, with the standard headers and a JSON 429; another
token is not held back; the window passes; refused tokens are limited per address, and an
active token from that address still gets through. The limits shared between processes
(redis) are tested on the served application (tests/web/test_api_served.py)."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import Engine

from tests.web.api_centre import ApiCentre, api_app, build_api_centre


@pytest.fixture
def api_centre(committed: tuple[Engine, str]) -> ApiCentre:
    return build_api_centre(*committed)


def _client(centre: ApiCentre, folder: Path, address: str = "127.0.0.1", **limits: str
            ) -> FlaskClient:
    client = api_app(centre, folder, **limits).test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_a_token_is_limited_over_every_route_together(api_centre: ApiCentre,
                                                      tmp_path: Path) -> None:
    client = _client(api_centre, tmp_path, API_RATE_LIMIT="3 per minute")
    routes = ["/api/v1/campaigns", f"/api/v1/campaigns/{api_centre.code}/interviews",
              f"/api/v1/campaigns/{api_centre.code}/rates"]
    remaining = []
    for route in routes:
        response = client.get(route, headers=api_centre.headers())
        assert response.status_code == 200, response.text
        assert response.headers["X-RateLimit-Limit"] == "3"
        remaining.append(response.headers["X-RateLimit-Remaining"])
        assert int(response.headers["X-RateLimit-Reset"]) > time.time()
    assert remaining == ["2", "1", "0"]
    refused = client.get(routes[1], headers=api_centre.headers())
    assert refused.status_code == 429 and refused.mimetype == "application/json"
    assert refused.json["code"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 120
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    other = client.get("/api/v1/campaigns", headers=api_centre.headers(api_centre.other_token))
    assert other.status_code == 200 and other.headers["X-RateLimit-Remaining"] == "2"
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2.5)):
        assert client.get(routes[0], headers=api_centre.headers()).status_code == 200


def test_refused_tokens_are_limited_per_address(api_centre: ApiCentre, tmp_path: Path
                                                ) -> None:
    app = api_app(api_centre, tmp_path, API_FAILURE_LIMIT="2 per minute")
    scanner, neighbour = app.test_client(), app.test_client()
    scanner.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    neighbour.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    wrong = {"Authorization": "Bearer sep_abcdefghij_" + "B" * 43}
    assert [scanner.get("/api/v1/campaigns", headers=wrong).status_code
            for _ in range(3)] == [401, 401, 429]
    blocked = scanner.get("/api/v1/campaigns", headers=wrong)
    assert blocked.status_code == 429 and blocked.json["code"] == "rate_limited"
    assert "Retry-After" in blocked.headers
    # An active token from the same address is not held back; another address is not either.
    assert scanner.get("/api/v1/campaigns", headers=api_centre.headers()).status_code == 200
    assert neighbour.get("/api/v1/campaigns", headers=wrong).status_code == 401


def test_a_limit_is_configured_in_the_instance(api_centre: ApiCentre, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[api]\nrate_limit = "2 per hour"\n',
                                          encoding="utf-8")
    client = api_app(api_centre, tmp_path, unlimited=False).test_client()
    statuses = [client.get("/api/v1/campaigns", headers=api_centre.headers()).status_code
                for _ in range(3)]
    assert statuses == [200, 200, 429]
