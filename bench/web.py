"""Benchmark the served web application: AGENTS simulated agents interviewing at once over HTTP
on loopback, per step requests per second and latency, next to a static file from the same
server in the same run.

What it does:

1. A scratch instance in a temporary folder: the database (a SQLite file, or a schema of its
   own at ``--database-url``), migrated; a centre file written for the run and loaded as
   ``survey-engine centre load`` does: one site whose workstations are 127.0.0.1 and ::1,
   AGENTS agents with a PIN, on shift around the clock, a progressive campaign on
   questionnaires/customer-satisfaction.yaml called around the clock; CONTACTS contacts
   imported as ``survey-engine contacts import`` does; the ``sim`` backend answering every call
   (``[telephony.sim] time_scale``: TIME_SCALE, 1 rings as long as a real phone, ~11 s).
2. ``survey-engine serve --threads THREADS`` (waitress) and ``survey-engine worker``, each a
   process of its own (``tests/web/live_server.py``).
3. AGENTS agents, asyncio tasks each with an ``aiohttp.ClientSession`` of its own (one
   cookie jar, one keep-alive connection, redirects followed one request at a time as a
   browser does), reading every form with ``lxml.html`` (CSRF token included). They sign in
   one after the other, evenly over RAMP seconds (a shift starting), with code and PIN; press
   ready; then until DURATION seconds from the start: wait for a call as the console page asks
   (it refreshes every 2 s while waiting, every 1 s while the phone rings), begin the
   interview, answer every question the form asks (an option by its code, one or two check
   boxes, one again when the two may not combine, numbers and texts typed), end the call with
   the questionnaire's outcome and the next call; at the end pause and sign out. No thinking
   time: each agent sends its next request as soon as the page it needs is there, or waits as
   long as the page's refresh says.
4. Baseline, same server, same run, same concurrency: AGENTS clients fetching
   ``/static/app.css`` for BASELINE seconds.

Reported, per step: requests, requests per second over the phase, p50 and p99 latency
(``statistics.quantiles``), errors (a transport error, a status the step does not expect, a
page without the form the agent needs). Any error makes the run fail (exit status 1).

Usage: python bench/web.py [--agents 200] [--duration 180] [--ramp 60] [--threads 8]
                           [--contacts 20000] [--baseline 20] [--time-scale 1] [--seed 1]
                           [--database-url postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import aiohttp
import lxml.etree
import lxml.html
import yaml
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dialer.centre_file import load_centre_file
from dialer.db import make_engine
from dialer.importing import import_contacts
from dialer.passwords import hash_secret
from dialer.schema import upgrade
from tests.web.live_server import served_with_worker

REPO = Path(__file__).resolve().parents[1]
QUESTIONNAIRE = REPO / "questionnaires" / "customer-satisfaction.yaml"
CAMPAIGN = "BENCH-WEB"
PIN = "2468"
LANGUAGES = ("nl", "fr", "en")
#: Mobile ranges where every 7-digit suffix is a valid number (as bench/import_contacts.py).
PREFIXES = ("+3247", "+3161", "+3360")
#: Every call answered by a person, none rings out (the bench measures the web, not the lists).
RATES = {name: 0 for name in ("non_working", "disconnected", "always_busy", "busy",
                              "no_answer", "answering_machine", "call_blocked",
                              "network_failure")}
#: Longest wait for one response: a slower one counts as an error.
TIMEOUT = 120.0
#: The order of the report's rows.
STEPS = ("sign-in page", "sign-in", "start page", "console: paused", "ready",
         "console: waiting", "console: to the call", "call: ringing", "call: connected",
         "begin", "call: question", "answer", "answer: not accepted", "call: wrap-up",
         "end of call", "pause",
         "sign-out")
BASELINE_STEP = "baseline: static file"


# --- the scratch instance ---------------------------------------------------------------------

def centre_file(path: Path, agents: int) -> None:
    """The run's centre: one site on loopback, AGENTS agents on shift around the clock, one
    progressive campaign called around the clock."""
    pin_hash = hash_secret(PIN)
    centre = {
        "sites": [{"code": "BENCH", "name": "Bench site", "time_zone": "Europe/Brussels",
                   "hourly_pay_rate": "1.00", "pay_currency": "EUR",
                   "workstations": ["127.0.0.1", "::1"]}],
        "agents": [{"code": agent_code(number), "site": "BENCH", "pin_hash": pin_hash,
                    "interface_language": "en",
                    "languages": {language: "native" for language in LANGUAGES},
                    "shifts": ["Mon-Sun 00:00-24:00"]} for number in range(agents)],
        "clients": [{"code": "BENCHCLIENT", "name": "Bench client"}],
        "campaigns": [{"code": CAMPAIGN, "client": "BENCHCLIENT", "name": "Web bench",
                       "questionnaire": str(QUESTIONNAIRE), "languages": list(LANGUAGES),
                       "countries": ["BE", "NL", "FR"], "windows": ["Mon-Sun 00:00-24:00"],
                       "skip_public_holidays": False, "dialing_mode": "progressive",
                       "max_call_minutes": 60, "no_answer_seconds": 120, "start": True}],
    }
    path.write_text(yaml.safe_dump(centre, sort_keys=False), encoding="utf-8")


def agent_code(number: int) -> str:
    return f"BENCH-{number:04d}"


def contact_file(path: Path, rows: int) -> None:
    """``rows`` unique valid mobile numbers with the questionnaire's contact fields."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["phone", "language", "first_name", "customer_number",
                         "customer_since"])
        for index in range(rows):
            writer.writerow([f"{PREFIXES[index % len(PREFIXES)]}{index // len(PREFIXES):07d}",
                             LANGUAGES[index % len(LANGUAGES)], "Sam", f"LT{index:07d}",
                             "2020-01-01"])


def config_file(path: Path, seed: int, time_scale: float) -> None:
    rates = ", ".join(f"{name} = 0" for name in RATES)
    path.write_text(f'[telephony]\nbackend = "sim"\n\n[telephony.sim]\nseed = {seed}\n'
                    f"time_scale = {time_scale!r}\nrates = {{ {rates} }}\n", encoding="utf-8")


@contextmanager
def database(url: str | None, folder: Path) -> Iterator[str]:
    """The URL of a new migrated database: a SQLite file in ``folder``, or a new schema at a
    PostgreSQL URL (dropped at the end)."""
    if url is None:
        scratch = f"sqlite:///{folder / 'centre.sqlite3'}"
        admin = None
    else:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin_url = make_url(url)
        if admin_url.drivername == "postgresql":
            admin_url = admin_url.set(drivername="postgresql+psycopg")
        admin = create_engine(admin_url)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        scratch = admin_url.update_query_dict({"options": f"-csearch_path={schema}"}) \
            .render_as_string(hide_password=False)
    try:
        engine = make_engine(scratch)
        upgrade(engine)
        engine.dispose()
        yield scratch
    finally:
        if admin is not None:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            admin.dispose()


def fill(url: str, folder: Path, agents: int, contacts: int) -> None:
    """Load the centre file and import the contacts, as the CLI does."""
    engine = make_engine(url)
    try:
        centre_file(folder / "centre.yaml", agents)
        load_centre_file(engine, folder / "centre.yaml")
        contact_file(folder / "contacts.csv", contacts)
        report = import_contacts(engine, CAMPAIGN, folder / "contacts.csv")
        if report.imported != contacts:
            raise SystemExit(f"imported {report.imported} of {contacts} contacts")
    finally:
        engine.dispose()


# --- the agents --------------------------------------------------------------------------------

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


# --- the report --------------------------------------------------------------------------------

def rows(tally: Tally, seconds: float, order: tuple[str, ...]) -> list[dict[str, Any]]:
    """One row per step seen: requests, per second, p50 and p99 in ms, errors."""
    seen = [*order, *sorted(set(tally.latencies) | set(tally.errors) - set(order))]
    table = []
    for step in dict.fromkeys(seen):
        timings = tally.latencies.get(step, [])
        if not timings and not tally.errors[step]:
            continue
        cuts = statistics.quantiles(timings, n=100, method="inclusive") \
            if len(timings) > 1 else timings * 99
        table.append({"step": step, "requests": len(timings),
                      "per_second": len(timings) / seconds,
                      "p50_ms": 1000 * cuts[49] if cuts else None,
                      "p99_ms": 1000 * cuts[98] if cuts else None,
                      "errors": tally.errors[step]})
    return table


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process has used so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def print_table(table: list[dict[str, Any]]) -> None:
    print("| step | requests | per second | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in table:
        p50 = f"{row['p50_ms']:.1f}" if row["p50_ms"] is not None else ""
        p99 = f"{row['p99_ms']:.1f}" if row["p99_ms"] is not None else ""
        print(f"| {row['step']} | {row['requests']:,} | {row['per_second']:,.1f} | {p50} | "
              f"{p99} | {row['errors']} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--duration", type=float, default=180.0,
                        help="seconds from the first sign-in to the end (default 180)")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads (default 8)")
    parser.add_argument("--ramp", type=float, default=60.0,
                        help="seconds over which the agents sign in, evenly (default 60)")
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--baseline", type=float, default=20.0,
                        help="seconds of the static-file baseline (default 20)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="the sim network's time_scale: 1 rings as long as a real phone")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None,
                        help="PostgreSQL URL (a schema of its own); default: a SQLite file")
    parser.add_argument("--json", type=Path, default=None,
                        help="also write the figures to this file")
    options = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-web-") as scratch:
        folder = Path(scratch)
        instance = folder / "instance"
        instance.mkdir()
        config_file(instance / "config.toml", options.seed, options.time_scale)
        with database(options.database_url, folder) as url:
            began = time.perf_counter()
            fill(url, folder, options.agents, options.contacts)
            prepared = time.perf_counter() - began
            with served_with_worker(instance, url, threads=options.threads,
                                    interval=1.0) as server:
                cpu_before = cpu_seconds(server.process.pid), cpu_seconds(os.getpid())
                tally, seconds = asyncio.run(run_agents(
                    server.url, options.agents, options.duration, options.ramp, options.seed))
                load_during = os.getloadavg()
                server_cpu, agents_cpu = (after - before for after, before in zip(
                    (cpu_seconds(server.process.pid), cpu_seconds(os.getpid())), cpu_before,
                    strict=True))
                base, base_seconds = asyncio.run(run_baseline(server.url, options.agents,
                                                              options.baseline))
    backend = "postgresql" if options.database_url else "sqlite"
    table = rows(tally, seconds, STEPS) + rows(base, base_seconds, (BASELINE_STEP,))
    interviews = sum(tally.outcomes.values())
    completes = tally.outcomes.get("complete", 0)
    print(f"# {platform.python_implementation()} {platform.python_version()}, {backend}, "
          f"{options.agents} agents signing in over {options.ramp:g} s, interviewing until "
          f"{options.duration:g} s (+ pause and sign-out), {options.threads} waitress threads, "
          f"time_scale {options.time_scale:g}; prepared in {prepared:.1f} s; "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# load average (1, 5, 15 min) before {', '.join(f'{x:.2f}' for x in load_before)}"
          f"; at the end of the agents' phase {', '.join(f'{x:.2f}' for x in load_during)} "
          f"({os.cpu_count()} CPUs); CPU seconds in the agents' phase: serve "
          f"{server_cpu:.1f}, the agents (this process) {agents_cpu:.1f}")
    print_table(table)
    agent_requests = sum(row["requests"] for row in table if row["step"] != BASELINE_STEP)
    print(f"all agents' requests: {agent_requests / seconds:,.1f} per second over "
          f"{seconds:.1f} s; interviews ended {interviews:,} ({interviews / seconds:.2f}/s), "
          f"outcomes {dict(tally.outcomes.most_common())}, completes {completes:,}")
    errors = sum(row["errors"] for row in table)
    for line in tally.first_errors + base.first_errors:
        print(f"error: {line}")
    if options.json is not None:
        options.json.write_text(json.dumps({
            "rows": table, "interviews": interviews, "completes": completes,
            "outcomes": dict(tally.outcomes), "errors": errors, "seconds": seconds},
            indent=2), encoding="utf-8")
    if errors:
        raise SystemExit(f"{errors} requests failed")


if __name__ == "__main__":
    main()
