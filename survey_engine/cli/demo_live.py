"""``survey-engine demo`` (what ``make demo`` runs): the real thing on this machine. The
embedded database with the sample centre, its sign-ins and a running campaign with contacts;
a dialer worker process on the ``sim`` telephony backend; the web application on loopback;
the address and the demo sign-ins printed; everything stopped with Ctrl-C (or SIGTERM)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import yaml
from sqlalchemy import select

from dialer.config import database_url
from dialer.db import make_engine, transaction
from dialer.dispatch_plan import read_roster
from dialer.models import Agent
from dialer.schema import upgrade
from survey_engine.cli.demo_centre import SAMPLES, load_samples
from survey_engine.cli.serve import run_until_interrupted, serve_url, web_server

HOST = "127.0.0.1"


def demo_logins(path: Path = SAMPLES / "centre.yaml") -> list[dict[str, Any]]:
    """The sign-ins the sample centre file gives, as the demo prints them (demo secrets
    only: the database holds their hashes)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    logins: list[dict[str, Any]] = [
        {"role": user["role"], "login": user["login"], "secret": user["password"],
         "language": user.get("interface_language", "en"),
         "where": user.get("site") or user.get("client") or ""}
        for user in data.get("users", []) if "password" in user]
    logins += [{"role": "agent", "login": agent["code"], "secret": agent["pin"],
                "language": agent["interface_language"],
                "where": ", ".join(sorted(agent["languages"]))}
               for agent in data.get("agents", []) if "pin" in agent]
    return logins


def run_live_demo(port: int) -> None:
    """Prepare, start, print, and serve until Ctrl-C (module docstring)."""
    engine = make_engine(database_url())
    upgrade(engine)
    click.secho(f"== survey-engine, on {engine.url.render_as_string(hide_password=True)}",
                bold=True)
    load_samples(engine)
    with transaction(engine) as session:
        on_shift = {agent.code for agent in read_roster(
            session, dt.datetime.now(dt.UTC)).agents_on_shift(dt.datetime.now(dt.UTC))}
        known = set(session.scalars(select(Agent.code)))
    engine.dispose()
    worker = subprocess.Popen([sys.executable, "-m", "survey_engine.cli", "worker"])
    try:
        server = web_server(HOST, port, 8, insecure_cookies=True)
        _print_logins(serve_url(HOST, server.effective_port), on_shift, known)
        run_until_interrupted(server)
        click.echo("\nstopping the web application and the worker")
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def _print_logins(address: str, on_shift: set[str], known: set[str]) -> None:
    click.secho(f"\nThe web application: {address}", bold=True)
    click.echo(f"  agents sign in at {address}/agent/login, everyone else at {address}/login")
    click.echo("  a dialer worker runs beside it on the sim telephony backend "
               "(nothing is really dialed)\n")
    rows = []
    for login in demo_logins():
        if login["role"] == "agent" and login["login"] not in known:
            continue
        shift = "" if login["role"] != "agent" else (
            "on shift now" if login["login"] in on_shift else "off shift now")
        rows.append((login["role"], login["login"], login["secret"], login["language"],
                     login["where"], shift))
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    head = ("role", "login", "password/PIN", "interface", "site, client or languages")
    click.echo("  " + "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)))
    for row in rows:
        click.echo("  " + "  ".join(str(cell).ljust(width) for cell, width
                                    in zip(row, widths, strict=False)) + "  " + row[5])
    click.echo("\n  BEV-055 works in Russian and interviews in Turkish, Russian and English, "
               "around the clock.\n  Calls are placed only inside the respondents' calling "
               "hours (Mon-Sat 09:00-21:00 their time).\n  Ctrl-C stops the web application "
               "and the worker.")
