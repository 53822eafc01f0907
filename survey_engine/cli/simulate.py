"""``survey-engine simulate``: run days of a campaign on a virtual clock, in a scratch
database, to plan shifts ("how many Albanian speakers do we need to finish by Friday?")."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import click

from dialer.config import instance_dir
from dialer.db import make_engine
from dialer.errors import DialerError
from dialer.simulation.runner import Simulation
from dialer.simulation.setup import prepare_scratch, scratch_work_size
from dialer.simulation.synthetic import AgentMix, parse_agent_mix, parse_language_mix
from dialer.simulation.tally import Tally
from dialer.telephony.registry import telephony_settings
from dialer.telephony.sim import SimBackend
from survey_engine.cli.common import echo_table, progress_bar
from survey_engine.cli.database import open_database


@click.command()
@click.option("--campaign", "campaign_code", required=True, metavar="CODE",
              help="The campaign to simulate (its settings, questionnaire and contacts).")
@click.option("--agents", "agent_mix", default="centre", show_default=True, metavar="MIX",
              help="'centre' for the centre's active agents, or simulated agents per "
                   "language: 'sq=10,tr=20,nl=80' (optionally ';shift=08:00-16:00;...').")
@click.option("--days", type=click.FloatRange(min=0.04, max=31), default=5.0,
              show_default=True, help="How long to simulate.")
@click.option("--start", "start_text", metavar="INSTANT",
              help="When the simulation begins, ISO 8601 with an offset "
                   "(2026-11-30T08:00+01:00); default: the coming full hour.")
@click.option("--contacts", type=click.IntRange(min=1), metavar="N",
              help="Simulate N synthetic contacts instead of the campaign's waiting ones.")
@click.option("--languages", "language_mix", metavar="MIX",
              help="Weights of the synthetic contacts' languages: 'nl=40,fr=35,tr=10'.")
@click.option("--seed", type=int, default=None,
              help="Seed of the sim backend and of synthetic contacts (default: the sim "
                   "backend's configured seed, else 0). The same seed gives the same run.")
@click.option("--into", "into", type=click.Path(dir_okay=False, path_type=Path),
              help="The scratch SQLite file to write (default: "
                   "INSTANCE/simulations/CAMPAIGN.sqlite3).")
@click.option("--force", is_flag=True, help="Replace an existing scratch file.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the report as JSON to this file.")
def simulate(campaign_code: str, agent_mix: str, days: float, start_text: str | None,
             contacts: int | None, language_mix: str | None, seed: int | None,
             into: Path | None, force: bool, json_path: Path | None) -> None:
    """Simulate a campaign on a virtual clock and report, per language, completes, AAPOR
    outcome counts, agent occupancy and the backlog waiting for lack of speakers.

    The live database is only read: the campaign, its contacts and agents are copied into a
    scratch SQLite file, where every simulated call, answer and trace event is written
    exactly as live ones are (`survey-engine trace verify` works on it too). Calls go
    through the `sim` telephony backend; respondents answer the questionnaire by its logic.

    \b
    Examples:
      survey-engine simulate --campaign LUMEN-CSAT-2025 --days 1
      survey-engine simulate --campaign LUMEN-CSAT-2025 --days 5 --seed 1 \\
          --agents 'sq=4,tr=6,nl=30,fr=30,ru=5,en=5' \\
          --contacts 100000 --languages 'nl=40,fr=35,tr=10,ru=8,sq=7'
    """
    mix: AgentMix | None = None if agent_mix == "centre" else parse_agent_mix(agent_mix)
    weights = parse_language_mix(language_mix) if language_mix else None
    if weights is not None and contacts is None:
        raise click.UsageError("--languages shapes synthetic contacts: give --contacts too")
    start = _start(start_text)
    backend = _backend(seed)
    target_path = into or instance_dir() / "simulations" / f"{campaign_code}.sqlite3"
    clear_scratch(target_path, force)
    source = open_database()
    target = make_engine(f"sqlite:///{target_path}")
    try:
        size = scratch_work_size(source, campaign_code, contacts)
        with progress_bar(size, "preparing the scratch centre") as advance:
            centre = prepare_scratch(source, target, campaign_code, agents=mix,
                                     contacts=contacts, languages=weights,
                                     seed=backend.seed, today=start.date(), progress=advance)
    except BaseException:
        target.dispose()
        _remove(target_path)  # nothing half-prepared is left behind
        raise
    try:
        source.dispose()
        minutes = round(days * 24 * 60)
        began = time.perf_counter()
        with progress_bar(minutes, "simulating") as advance:
            shown = [start]

            def moved(moment: dt.datetime) -> None:
                advance(int((moment - shown[0]).total_seconds() // 60))
                shown[0] = moment

            tally = Simulation(target, backend, start, days, centre.agent_ids,
                               progress=moved).run()
        seconds = time.perf_counter() - began
    finally:
        source.dispose()
        target.dispose()
    echo_report(tally, days, seconds, target_path, centre.contacts)
    if json_path is not None:
        json_path.write_text(json.dumps({
            "campaign": campaign_code, "start": start.isoformat(), "days": days,
            "seed": backend.seed, "agents": tally.agents, "contacts": centre.contacts,
            "wall_seconds": round(seconds, 1), "languages": tally.rows()}, indent=2),
            encoding="utf-8")


def _start(text: str | None) -> dt.datetime:
    if text is None:
        now = dt.datetime.now(dt.UTC)
        return now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    try:
        start = dt.datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 instant",
                                 param_hint="--start") from None
    if start.tzinfo is None:
        raise click.BadParameter(f"{text!r} needs an offset, e.g. {text}+01:00",
                                 param_hint="--start")
    return start.astimezone(dt.UTC)


def _backend(seed: int | None) -> SimBackend:
    """The sim backend with the configured options when the configuration picks it."""
    name, options = telephony_settings()
    backend = SimBackend.from_options(options) if name == "sim" else SimBackend()
    if seed is not None:
        backend = SimBackend(seed=seed, rates=backend.rates,
                             campaign_rates=backend.campaign_rates)
    return backend


def clear_scratch(path: Path, force: bool) -> None:
    """Make way for a scratch file at ``path`` (its folder made; an old file removed only
    when ``force``).

    :raises DialerError: ``scratch_exists``.
    """
    if path.exists():
        if not force:
            raise DialerError("scratch_exists", f"{path} exists: pass --force to replace it, "
                                                "or --into another file")
        _remove(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def _remove(path: Path) -> None:
    """Delete a SQLite file with its write-ahead log."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def echo_report(tally: Tally, days: float, seconds: float, path: Path, contacts: int) -> None:
    """Print a simulation's report: a table per language, the totals and the speed."""
    rows = tally.rows()
    echo_table(("LANGUAGE", "AGENTS", "ATTEMPTS", "COMPLETES", "OCCUPANCY", "WAITING",
                "BACKLOG", "FINAL OUTCOMES (AAPOR)"),
               [(row["language"], str(row["agents"]), str(row["attempts"]),
                 str(row["completes"]), f"{row['occupancy']:.0%}", str(row["waiting"]),
                 str(row["backlog"]),
                 " ".join(f"{code}:{count}" for code, count in row["final_codes"].items()))
                for row in rows])
    hours = days * 24
    click.echo(f"\n{tally.agents} agents, {contacts:,} contacts, {tally.total_attempts:,} "
               f"attempts, {tally.total_completes:,} completes; simulated {hours:g} h in "
               f"{seconds:.0f} s ({hours / max(seconds, 1e-9):.1f} simulated hours per "
               f"second)")
    backlog = {language: count for language, count in tally.backlog.items() if count}
    if backlog:
        click.echo("callable but waiting for lack of a speaker on shift, at the worst moment: "
                   + ", ".join(f"{language} {count:,}"
                               for language, count in sorted(backlog.items())))
    click.echo(f"every call is in {path} (survey-engine trace verify works on it with "
               f"SURVEY_ENGINE_DATABASE_URL=sqlite:///{path})")
