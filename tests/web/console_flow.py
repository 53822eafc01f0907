"""Drive the agent console through HTTP as a workstation does, keeping every response the
agent received (for the scans of :mod:`tests.web.test_console`)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.web.centre import csrf_of

#: The customer-satisfaction interview of a Turkish respondent, question by question: what
#: the agent submits (codes, or text typed the Turkish way), ``?`` for don't know.
TURKISH_ANSWERS: dict[str, Any] = {
    "consent": "1", "services": ["1", "2"], "overall_satisfaction": "5",
    "internet_reliability": "4", "improvements": ["1", "3"], "contacted_support": "1",
    "support_channel": "3", "support_rating": "5", "issue_resolved": "1", "nps": "9",
    "nps_why": "Fiyatı uygun ve şebeke hiç kesilmiyor.", "switch_intent": "?",
    "monthly_bill": "54,5"}
QUESTION = re.compile(r'name="question" value="([^"]+)"')


@dataclass
class Workstation:
    """A signed-in agent's browser, minus the browser."""

    client: FlaskClient
    received: list[tuple[str, TestResponse]] = field(default_factory=list)

    def get(self, url: str) -> TestResponse:
        response = self.client.get(url)
        self.received.append((f"GET {url}", response))
        return response

    def post(self, url: str, data: dict[str, Any] | None = None) -> TestResponse:
        page = self.received[-1][1].text if self.received else self.client.get("/agent/").text
        form = {"csrf_token": csrf_of(page), **(data or {})}
        response = self.client.post(url, data=form)
        self.received.append((f"POST {url}", response))
        return response

    def texts(self) -> list[tuple[str, str]]:
        """Every response, headers and body, as text."""
        return [(where, f"{response.status}\n{response.headers}\n{response.text}")
                for where, response in self.received]


def current_call(station: Workstation) -> str:
    """The URL of the agent's call (the console sends the agent there)."""
    response = station.get("/agent/")
    assert response.status_code == 302 and "/agent/calls/" in response.headers["Location"], \
        "the agent has no call"
    return response.headers["Location"]


def answered(station: Workstation, call: str, traveller: Any) -> TestResponse:
    """Wait (on the test's clock) until the respondent is on the line."""
    for _ in range(10):
        page = station.get(call)
        if "ringing" not in page.text:
            return page
        traveller.shift(dt.timedelta(seconds=15))
    raise AssertionError("the call was never answered")


def question_of(page: TestResponse) -> str | None:
    """The id of the question a page asks, or None."""
    found = QUESTION.search(page.text)
    return found.group(1) if found else None


def give(station: Workstation, call: str, question: str, answer: Any) -> TestResponse:
    """Submit one answer as the form would (``?`` and ``!``: the special buttons)."""
    data: dict[str, Any] = {"question": question}
    if answer == "?":
        data["dont_know"] = "x"
    elif answer == "!":
        data["refused"] = "x"
    else:
        data["answer"] = answer
    return station.post(f"{call}/answer", data)
