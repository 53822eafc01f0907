"""The simulated agents of bench/web.py: each an asyncio task with a browser's cookie jar and
one keep-alive connection, reading the pages and forms the served application sends, and the
static-file clients of its baseline. Every request is timed and named by its step."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import lxml.etree
import lxml.html

PIN = "2468"
#: Longest wait for one response: a slower one counts as an error.
TIMEOUT = 120.0
#: The order of the report's rows.
STEPS = ("sign-in page", "sign-in", "start page", "console: paused", "ready",
         "console: waiting", "console: to the call", "call: ringing", "call: connected",
         "begin", "call: question", "answer", "answer: not accepted", "call: wrap-up",
         "end of call", "pause", "sign-out")
BASELINE_STEP = "baseline: static file"


def agent_code(number: int) -> str:
    return f"BENCH-{number:04d}"


@dataclass
class Tally:
    """Latencies and errors per step, and the interviews' outcomes."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    def error(self, step: str, what: str) -> None:
        self.errors[step] += 1
        if len(self.first_errors) < 10:
            self.first_errors.append(f"{step}: {what}")


class StepFailed(Exception):
    """A request of a step failed; the agent starts again from the console."""


@dataclass(frozen=True)
class Page:
    """A response as the agent reads it."""

    url: str
    status: int
    location: str
    text: str

    def document(self) -> Any:
        return lxml.html.fromstring(self.text, base_url=self.url)


class Agent:
    """One agent's browser: a cookie jar, one connection, the pages it was sent."""

    def __init__(self, client: aiohttp.ClientSession, base: str, code: str, tally: Tally,
                 rng: random.Random) -> None:
        self.client, self.base, self.code, self.tally, self.rng = client, base, code, tally, rng
        #: Whether the last answer was refused (the next one is a single option).
        self.refused = False

    async def request(self, step: str | None, method: str, url: str,
                      data: list[tuple[str, str]] | None = None, *,
                      expect: tuple[int, ...] = (200, 302)) -> Page:
        """One request, timed; ``step`` None: named by the page it returns."""
        target = urljoin(self.base, url)
        began = time.perf_counter()
        try:
            async with self.client.request(method, target, data=data,
                                           allow_redirects=False) as response:
                page = Page(target, response.status, response.headers.get("Location", ""),
                            await response.text())
        except (aiohttp.ClientError, TimeoutError) as error:
            self.tally.error(step or url, f"{method} {url}: {type(error).__name__} {error}")
            raise StepFailed from error
        took = time.perf_counter() - began
        name = step or page_kind(page)
        if page.status == 422 and 422 in expect:
            name = f"{name}: not accepted"
        if page.status not in expect:
            self.tally.error(name, f"{method} {url} {data or ''}: {page.status} "
                                   f"{what_went_wrong(page)!r}")
            raise StepFailed
        self.tally.latencies[name].append(took)
        return page

    async def follow(self, page: Page) -> Page:
        """Follow redirects to the page they lead to, one request each."""
        while page.status == 302:
            page = await self.request(None, "GET", urljoin(page.url, page.location))
        return page

    async def submit(self, step: str, page: Page, action: str,
                     extra: dict[str, str] | None = None, *, choose: bool = False) -> Page:
        """Send the form of ``page`` whose action ends with ``action``, as filled in (and
        answered, with ``choose``: a refused answer, 422, is shown again with the form), and
        follow where it leads."""
        forms = [form for form in page.document().forms
                 if (form.action or "").endswith(action)]
        if not forms:
            self.tally.error(step, f"no form for {action} on {page.url}")
            raise StepFailed
        form = forms[0]
        if choose:
            self.answer(form)
        buttons = []
        for name, value in (extra or {}).items():
            if name in form.inputs.keys() and form.inputs[name].type != "submit":  # noqa: SIM118
                form.inputs[name].value = value
            else:
                buttons.append((name, value))  # a button: sent only when pressed
        sent = await self.request(step, "POST", form.action, [*form.form_values(), *buttons],
                                  expect=(302, 422) if choose else (302,))
        self.refused = sent.status == 422
        return await self.follow(sent)

    def answer(self, form: Any) -> None:
        """Answer as a respondent would: the first option half the time, else any; one or
        two check boxes (one after a refusal: two may not combine); a number when typed."""
        names = set(form.inputs.keys())
        if "answer" not in names:
            return  # an info text
        field = form.inputs["answer"]
        options = getattr(field, "value_options", None)
        if options is None:
            field.value = "42"
        elif isinstance(field, lxml.html.CheckboxGroup):
            many = 1 if self.refused else self.rng.choice((1, 2))
            for code in self.rng.sample(options, k=min(len(options), many)):
                field.value.add(code)
        else:
            field.value = options[0] if self.rng.random() < 0.5 else self.rng.choice(options)
        if "specify" in names:
            form.inputs["specify"].value = "details"

    async def sign_in(self) -> Page:
        login = await self.request("sign-in page", "GET", "/agent/login", expect=(200,))
        return await self.submit("sign-in", login, "/agent/login",
                                 {"code": self.code, "pin": PIN})

    async def work(self, deadline: float) -> None:
        """Sign in, take calls until ``deadline``, pause, sign out."""
        try:
            page = await self.sign_in()
        except StepFailed:
            return
        while time.perf_counter() < deadline:
            try:
                page = await self.act(page)
            except StepFailed:
                await asyncio.sleep(1)
                try:
                    page = await self.follow(await self.request(None, "GET", "/agent/"))
                except StepFailed:
                    continue
        try:
            if page_kind(page) == "console: waiting":
                page = await self.submit("pause", page, "/agent/pause")
            await self.submit("sign-out", page, "/logout")
        except StepFailed:
            pass

    async def act(self, page: Page) -> Page:
        """What the agent does on ``page``; the page that follows."""
        kind = page_kind(page)
        if kind == "console: paused":
            return await self.submit("ready", page, "/agent/ready")
        if kind in ("console: waiting", "call: ringing"):
            await asyncio.sleep(refresh_seconds(page))
            return await self.follow(await self.request(None, "GET", page.url))
        if kind == "call: connected":
            return await self.submit("begin", page, "/begin")
        if kind == "call: question":
            return await self.submit("answer", page, "/answer", {"submit": "Next"},
                                     choose=True)
        if kind == "call: wrap-up":
            self.tally.outcomes[decided_outcome(page)] += 1
            return await self.submit("end of call", page, "/end", {"next_call": "next"})
        return await self.follow(await self.request(None, "GET", "/agent/"))


def page_kind(page: Page) -> str:
    """Which step a response is: a redirect to a call, or the console or call page by its
    body class."""
    if page.status == 302:
        return "console: to the call" if "/agent/calls/" in page.location else "start page"
    body = page.text
    for stage, kind in (("ringing", "call: ringing"), ("connected", "call: connected"),
                        ("interview", "call: question"), ("wrap_up", "call: wrap-up"),
                        ("ended", "call: ended")):
        if f"call-{stage}" in body:
            return kind
    if "state waiting" in body:
        return "console: waiting"
    if "state paused" in body:
        return "console: paused"
    path = urlsplit(page.url).path
    return "sign-in page" if path == "/agent/login" else f"page {path}"


def what_went_wrong(page: Page) -> str:
    """The message a refused request's page shows, or the start of its text."""
    try:
        shown = page.document().xpath('//*[@role="alert" or contains(@class, "error")]')
    except (ValueError, lxml.etree.ParserError):
        shown = []
    return " / ".join(" ".join(node.text_content().split()) for node in shown) \
        or page.text[:200]


def refresh_seconds(page: Page) -> float:
    """The page's own ``<meta http-equiv="refresh">``, in seconds."""
    found = page.document().xpath('//meta[@http-equiv="refresh"]/@content')
    return float(str(found[0]).split(";")[0]) if found else 1.0


def decided_outcome(page: Page) -> str:
    found = page.document().xpath('//input[@name="decided"]/@value')
    return str(found[0]) if found else "?"


async def run_agents(url: str, agents: int, duration: float, ramp: float, seed: int
                     ) -> tuple[Tally, float]:
    """Every agent until ``duration`` has passed, each signing in at a moment of the first
    ``ramp`` seconds (evenly spread); the tally and the phase's seconds."""
    tally = Tally()
    started = time.perf_counter()
    deadline = started + duration

    async def one(number: int) -> None:
        await asyncio.sleep(ramp * number / agents)
        async with new_client() as client:
            await Agent(client, url, agent_code(number), tally,
                        random.Random(f"{seed}:{number}")).work(deadline)

    await asyncio.gather(*(one(number) for number in range(agents)))
    return tally, time.perf_counter() - started


async def run_baseline(url: str, clients: int, duration: float) -> tuple[Tally, float]:
    """``clients`` clients fetching a static file of the same server until ``duration``."""
    tally = Tally()
    started = time.perf_counter()
    deadline = started + duration

    async def one() -> None:
        async with new_client() as client:
            agent = Agent(client, url, "", tally, random.Random(0))
            while time.perf_counter() < deadline:
                try:
                    await agent.request(BASELINE_STEP, "GET", "/static/app.css", expect=(200,))
                except StepFailed:
                    await asyncio.sleep(1)

    await asyncio.gather(*(one() for _ in range(clients)))
    return tally, time.perf_counter() - started


def new_client() -> aiohttp.ClientSession:
    """A browser's cookie jar (cookies of an address taken too: the server is 127.0.0.1) and
    one keep-alive connection."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 connector=aiohttp.TCPConnector(limit=1),
                                 timeout=aiohttp.ClientTimeout(total=TIMEOUT))
