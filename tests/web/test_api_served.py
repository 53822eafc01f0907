"""The partner API as partners meet it: ``survey-engine serve`` (waitress, in a process of
its own) on SQLite and PostgreSQL.

- schemathesis (its ``run`` command, as a partner's CI would run it) generates requests
  from the served OpenAPI description, with a valid token, and checks every answer against
  it (status codes, content types, headers, bodies) and that none is a server error;
- pulling pages over HTTP while two threads keep completing interviews misses none and
  repeats none;
- with ``rate_limit_storage = "redis://..."`` two server processes share their counts.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from dialer.models import Interview
from results.records import snapshot
from tests.database_fixtures import require_backend
from tests.dialer.databases import BACKENDS, migrated_database
from tests.results.scenario import completing
from tests.web.api_centre import ApiCentre, build_api_centre
from tests.web.centre import UNLIMITED
from tests.web.live_server import ALL_ANSWER_CONFIG, LiveServer, served

PER_AGENT = 12


def instance_folder(folder: Path, api_table: str) -> Path:
    """An instance folder with sim telephony and this ``[api]`` table."""
    instance = folder / "instance"
    instance.mkdir(exist_ok=True)
    (instance / "config.toml").write_text(f"{ALL_ANSWER_CONFIG}\n[api]\n{api_table}",
                                          encoding="utf-8")
    return instance


@pytest.fixture(scope="module", params=BACKENDS)
def served_api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[ApiCentre, LiveServer]]:
    """The API centre (with Dutch contacts waiting for the concurrent test) and the served
    application on it, without rate limits."""
    backend = str(request.param)
    require_backend(backend)
    folder = tmp_path_factory.mktemp(f"api-{backend}")
    instance = instance_folder(folder, f'rate_limit = "{UNLIMITED}"\n'
                                       f'failure_limit = "{UNLIMITED}"\n')
    with migrated_database(backend, folder) as (engine, url):
        centre = build_api_centre(engine, url, spare_contacts=2 * PER_AGENT)
        with served(instance, url) as server:
            yield centre, server


def test_schemathesis_finds_nothing_wrong_with_the_served_api(
        served_api: tuple[ApiCentre, LiveServer]) -> None:
    """Every phase (coverage of the described values, fuzzing, and stateful sequences that
    follow the campaign list's codes into the feed and the rates) and every check: no
    server error, status codes, content types, headers and bodies as described, invalid
    input refused, and no answer without the token (``ignored_auth``)."""
    centre, server = served_api
    program = Path(sys.executable).with_name("schemathesis")
    done = subprocess.run(
        [str(program), "--no-color", "run", f"{server.url}/api/v1/openapi.json",
         "--checks", "all", "--header", f"Authorization: Bearer {centre.token}",
         "--max-examples", "30", "--workers", "1", "--request-timeout", "30"],
        capture_output=True, text=True, timeout=600, check=False)
    report = done.stdout[-8000:] + done.stderr[-2000:]
    assert done.returncode == 0, report
    assert "No issues found" in done.stdout and "3 selected / 3 total" in done.stdout, report
    assert "Stateful" in done.stdout and "2 covered" in done.stdout, report


def _description(server: LiveServer) -> Any:
    return _get(server, "/api/v1/openapi.json", {})[1]


def test_the_description_lists_every_route_with_its_refusals(
        served_api: tuple[ApiCentre, LiveServer]) -> None:
    raw = _description(served_api[1])
    assert raw["openapi"] == "3.1.0"
    assert set(raw["paths"]) == {"/api/v1/campaigns", "/api/v1/campaigns/{code}/interviews",
                                 "/api/v1/campaigns/{code}/rates"}
    feed = raw["paths"]["/api/v1/campaigns/{code}/interviews"]["get"]
    assert {"200", "400", "401", "404", "429"} <= set(feed["responses"])
    assert [p["name"] for p in feed["parameters"]] == ["code", "after", "limit"]
    assert raw["components"]["securitySchemes"]["partnerToken"]["scheme"] == "bearer"
    assert "Retry-After" in feed["responses"]["429"]["headers"]


def _get(server: LiveServer, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(f"{server.url}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_pulling_over_http_while_interviews_complete_misses_and_repeats_nothing(
        served_api: tuple[ApiCentre, LiveServer]) -> None:
    centre, server = served_api
    with snapshot(centre.engine) as session:
        before = set(session.scalars(select(Interview.id)))
    pulled: list[int] = []
    after, pages = 0, 0
    with completing(centre.centre, ("NL1", "NL2"), PER_AGENT) as working:
        while True:
            running = working()
            status, page = _get(server, f"/api/v1/campaigns/{centre.code}/interviews"
                                        f"?after={after}&limit=3", centre.headers())
            assert status == 200, page
            pulled += [item["interview"] for item in page["items"]]
            assert page["next_after"] >= after
            after, pages = page["next_after"], pages + 1
            if not page["items"] and not running:
                break
    with snapshot(centre.engine) as session:
        every = set(session.scalars(select(Interview.id)))
    assert len(every - before) == 2 * PER_AGENT
    assert sorted(pulled) == sorted(every)          # none missed, none repeated
    assert pages > (len(every) + 2) // 3            # pages came while they completed


def test_two_server_processes_share_their_counts_through_redis(
        redis_url: str, tmp_path: Path) -> None:
    instance = instance_folder(tmp_path, f'rate_limit = "5 per minute"\n'
                                         f'rate_limit_storage = "{redis_url}"\n')
    with migrated_database("sqlite", tmp_path) as (engine, url):
        centre = build_api_centre(engine, url)
        with served(instance, url) as first, served(instance, url) as second:
            statuses = [_get(server, "/api/v1/campaigns", centre.headers())[0]
                        for server in (first, second, first, second, first, second, first)]
            other = _get(second, "/api/v1/campaigns", centre.headers(centre.other_token))
    assert statuses == [200] * 5 + [429, 429]
    assert other[0] == 200
