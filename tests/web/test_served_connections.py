"""``survey-engine serve`` keeps as many connections open as a call centre's browsers hold:
each keeps its connections open between requests, and waitress's own limit (100) made the
101st agent wait until someone else left (found by bench/web.py)."""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

from tests.dialer.databases import migrated_database
from tests.web.live_server import ALL_ANSWER_CONFIG, served

#: More browsers than waitress serves at once by default.
BROWSERS = 150


def test_more_than_a_hundred_open_connections_are_all_served(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.toml").write_text(ALL_ANSWER_CONFIG, encoding="utf-8")
    with migrated_database("sqlite", tmp_path) as (_engine, url), \
            served(instance, url) as server:
        address = urlsplit(server.url)
        kept: list[http.client.HTTPConnection] = []
        try:
            for _ in range(BROWSERS + 1):
                connection = http.client.HTTPConnection(address.hostname or "", address.port,
                                                        timeout=15)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                assert response.status == 200
                assert response.getheader("Connection", "").lower() != "close"
                kept.append(connection)  # open, as a browser keeps it
            for connection in kept:  # each one still answers
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                assert response.status == 200
        finally:
            for connection in kept:
                connection.close()
