"""The partner API in process, on SQLite and PostgreSQL: the feed's pages carry exactly the
JSON Lines export's records, the cursor walks them once, the rates are the results
package's, a token's use is recorded, the token never reaches a log or the database in
clear, and wrong ``[api]`` settings are refused with the key named."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import Base, PartnerToken
from results.cases import iter_cases, rate_table
from results.export import export_campaign
from results.partner_tokens import TOKEN
from results.records import snapshot
from tests.web.api_centre import ApiCentre, api_app, build_api_centre


@pytest.fixture
def api_centre(committed: tuple[Engine, str]) -> ApiCentre:
    return build_api_centre(*committed)


def _pages(client: object, centre: ApiCentre, limit: int) -> list[dict[str, object]]:
    pages, after = [], 0
    while True:
        response = client.get(  # type: ignore[attr-defined]
            f"/api/v1/campaigns/{centre.code}/interviews?after={after}&limit={limit}",
            headers=centre.headers())
        assert response.status_code == 200, response.text
        pages.append(response.json)
        if not response.json["items"]:
            return pages
        after = response.json["next_after"]


def test_the_feed_serves_the_json_lines_records_once_each(api_centre: ApiCentre,
                                                          tmp_path: Path) -> None:
    client = api_app(api_centre, tmp_path).test_client()
    pages = _pages(client, api_centre, limit=2)
    items = [item for page in pages for item in page["items"]]
    export_campaign(api_centre.engine, api_centre.code, "jsonl", tmp_path / "all.jsonl")
    exported = [json.loads(line) for line in
                (tmp_path / "all.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(items) == 4
    assert sorted(items, key=lambda item: item["interview"]) == \
        sorted(exported, key=lambda item: item["interview"])
    assert [page["has_more"] for page in pages] == [True, True, False]
    cursors = [page["next_after"] for page in pages]
    assert cursors[0] < cursors[1] == cursors[2]   # an empty page keeps the cursor
    russian = next(item for item in items if item["language"] == "ru")
    assert russian["contact"] == {"customer_number": "LT1234567"}
    assert russian["answers"]["nps"] == 9 and russian["outcome"]["aapor"] == "1.1"
    dutch = next(item for item in items if item["answers"].get("nps") == {
        "special": "dont_know", "code": 98})
    assert dutch["outcome"]["final"] is True


def test_a_page_size_and_cursor_outside_their_ranges_are_refused(api_centre: ApiCentre,
                                                                 tmp_path: Path) -> None:
    client = api_app(api_centre, tmp_path).test_client()
    base = f"/api/v1/campaigns/{api_centre.code}/interviews"
    for query, field in (("limit=0", "limit"), ("limit=1001", "limit"), ("after=-1", "after"),
                         ("after=abc", "after"), ("after=2147483648", "after")):
        response = client.get(f"{base}?{query}", headers=api_centre.headers())
        assert response.status_code == 400, query
        assert response.json["code"] == "bad_request" and field in response.json["message"]
    far = client.get(f"{base}?after=2147483647", headers=api_centre.headers())
    assert far.status_code == 200 and far.json["items"] == []


def test_rates_are_the_results_packages(api_centre: ApiCentre, tmp_path: Path) -> None:
    client = api_app(api_centre, tmp_path).test_client()
    body = client.get(f"/api/v1/campaigns/{api_centre.code}/rates",
                      headers=api_centre.headers()).json
    with snapshot(api_centre.engine) as session:
        (row,) = rate_table(iter_cases(session, api_centre.centre.campaign_id), dimensions=())
    assert body["cases"] == row.cases == 4
    assert body["codes"] == row.codes
    # 2 completes, a refusal and a break-off (both R) of 4 cases: RR1 = 2/4, REF1 = 2/4.
    assert body["counts"]["I"] == 2 and body["counts"]["R"] == 2
    assert body["rates"]["RR1"] == pytest.approx(0.5) and body["rates"]["REF1"] == 0.5
    empty = client.get(f"/api/v1/campaigns/{api_centre.other_code}/rates",
                       headers=api_centre.headers(api_centre.other_token)).json
    assert empty["cases"] == 0 and empty["rates"]["RR1"] is None


def test_a_tokens_use_is_recorded(api_centre: ApiCentre, tmp_path: Path) -> None:
    client = api_app(api_centre, tmp_path).test_client()
    with transaction(api_centre.engine) as session:
        assert all(token.last_used_at is None for token in session.scalars(
            select(PartnerToken)))
    assert client.get("/api/v1/campaigns", headers=api_centre.headers()).status_code == 200
    with transaction(api_centre.engine) as session:
        used = {token.name: token.last_used_at for token in session.scalars(
            select(PartnerToken))}
    assert used["partner"] is not None and used["other partner"] is None


def test_the_token_never_reaches_a_log_or_the_database_in_clear(
        api_centre: ApiCentre, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = api_app(api_centre, tmp_path, API_FAILURE_LIMIT="2 per minute")
    client = app.test_client()
    parts = TOKEN.fullmatch(api_centre.token)
    assert parts is not None
    secret = parts.group(2)  # 43 characters (it may itself hold "_")
    with caplog.at_level(logging.DEBUG):
        client.get("/api/v1/campaigns", headers=api_centre.headers())
        client.get(f"/api/v1/campaigns/{api_centre.other_code}/interviews",
                   headers=api_centre.headers())
        for wrong in (api_centre.token[:-1] + "!", api_centre.token + "x", api_centre.token,
                      secret):
            client.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {wrong}"})
    logged = caplog.text + " ".join(str(record.args) for record in caplog.records)
    assert "partner token refused: token_invalid" in logged  # the check looks at the log
    assert secret not in logged and secret[:16] not in logged
    with transaction(api_centre.engine) as session:
        stored = " ".join(str(row) for table in Base.metadata.sorted_tables
                          for row in session.execute(select(table)))
    assert "sep_" not in stored and secret not in stored
    if api_centre.engine.dialect.name == "sqlite":
        database = Path(api_centre.engine.url.database or "")
        with api_centre.engine.connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(FULL)"))
        for path in (database, database.with_name(database.name + "-wal")):
            if path.exists():
                assert secret.encode() not in path.read_bytes(), path


@pytest.mark.parametrize(("table", "problem"), [
    ('[api]\nrate_limit = "lots"\n', "api.rate_limit: 'lots' is not a rate limit"),
    ('[api]\nfailure_limit = 5\n', "api.failure_limit must be a string"),
    ('[api]\nlimit = "5 per minute"\n', "unknown key api.limit"),
])
def test_wrong_api_settings_are_refused_with_the_key_named(
        api_centre: ApiCentre, tmp_path: Path, table: str, problem: str) -> None:
    (tmp_path / "config.toml").write_text(table, encoding="utf-8")
    with pytest.raises(DialerError) as refused:
        api_app(api_centre, tmp_path, unlimited=False)
    assert refused.value.code == "config" and problem in refused.value.message
