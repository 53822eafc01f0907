"""The simulator runs days on a virtual clock through the real dispatcher, call desk and
interview desk: what it reports is what the database holds, the trace verifies, the same seed
gives the same run, and languages nobody speaks show up as backlog."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dialer.db import make_engine, transaction
from dialer.models import Attempt, Contact, Shift, TraceEvent
from dialer.outcomes import DISPOSITIONS
from dialer.schema import upgrade
from dialer.simulation import runner
from dialer.simulation.runner import Simulation
from dialer.simulation.tally import Tally
from dialer.telephony import SimBackend
from dialer.telephony.sim_rates import SimRates
from dialer.trace import verify_chain
from tests.dialer import factories
from tests.dialer.callflow import ALL_BUSY, TUESDAY_NOON, Centre, build

START = TUESDAY_NOON.replace(hour=0)


def _centre(engine: Engine) -> Centre:
    """Dutch, French and Turkish speakers; contacts in those languages and in English."""
    rng = random.Random(5)
    numbers = rng.sample(range(100000, 999999), 120)
    languages = ["nl", "fr", "tr", "en"]
    return build(engine, agents={"NL1": ["nl"], "NL2": ["nl", "en"], "FR1": ["fr"],
                                 "TR1": ["tr"]},
                 contacts=[(f"+32470{number}", languages[index % 4])
                           for index, number in enumerate(numbers)])


def _simulate(centre: Centre, seed: int = 3, days: float = 1,
              rates: SimRates | None = None) -> Tally:
    return Simulation(centre.engine, SimBackend(seed=seed, rates=rates), START, days).run()


def test_a_simulated_day_is_what_the_database_holds(committed: tuple[Engine, str]) -> None:
    centre = _centre(committed[0])
    tally = _simulate(centre)
    rows = {row["language"]: row for row in tally.rows()}
    assert tally.total_attempts > 100 and tally.total_completes > 5
    with transaction(centre.engine) as session:
        assert session.scalar(select(func.count()).select_from(Attempt)) == \
            tally.total_attempts
        completes = session.scalar(select(func.count()).select_from(Contact)
                                   .where(Contact.disposition == "1.1"))
        assert completes == tally.total_completes
        report = verify_chain(session, centre.campaign_id)
        assert report.fault is None, str(report.fault)
        assert report.events == session.scalar(select(func.count()).select_from(TraceEvent))
    for row in rows.values():
        assert set(row["codes"]) <= set(DISPOSITIONS)
        assert 0 <= row["occupancy"] <= 1
    assert rows["nl"]["agents"] == 2 and rows["en"]["agents"] == 1
    assert rows["tr"]["completes"] > 0 and rows["tr"]["attempts"] > 0


def test_a_language_nobody_speaks_is_backlog(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'sim.sqlite3'}")
    upgrade(engine)
    centre = build(engine, agents={"NL1": ["nl"]},
                   contacts=[("+32470000001", "nl"), ("+32470000002", "ru"),
                             ("+32470000003", "ru")])
    tally = _simulate(centre, days=0.5)
    rows = {row["language"]: row for row in tally.rows()}
    assert rows["ru"]["backlog"] == 2 and rows["ru"]["attempts"] == 0
    assert rows["ru"]["waiting"] == 2 and rows["ru"]["agents"] == 0
    assert rows["nl"]["backlog"] == 0 and rows["nl"]["attempts"] >= 1


def test_the_same_seed_gives_the_same_run(tmp_path: Path) -> None:
    def run(name: str, seed: int) -> list[dict[str, object]]:
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        upgrade(engine)
        rows = _simulate(_centre(engine), seed=seed, days=0.5).rows()
        engine.dispose()
        return rows

    first = run("a.sqlite3", 3)
    assert run("b.sqlite3", 3) == first
    assert run("c.sqlite3", 4) != first


def test_agents_work_only_their_shifts(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'shifts.sqlite3'}")
    upgrade(engine)
    centre = build(engine, agents={"NL1": ["nl"]},
                   contacts=[(f"+3247000{n:04d}", "nl") for n in range(40)])
    with transaction(engine) as session:
        session.execute(Shift.__table__.delete())
        session.add(Shift(agent_id=centre.agents["NL1"], weekday=1, start=dt.time(10),
                          end=dt.time(11)))
    _simulate(centre)
    with transaction(engine) as session:
        claimed = list(session.scalars(select(Attempt.claimed_at)))
    assert claimed
    # 10:00-11:00 in Brussels is 09:00-10:00 UTC in November.
    assert all(dt.time(9) <= moment.time() < dt.time(10) for moment in claimed), claimed


Chain = list[tuple[int, str]]


def _run_in_batches(folder: Path, batch: int, make: Callable[[Engine], Centre],
                    monkeypatch: pytest.MonkeyPatch, rates: SimRates | None = None
                    ) -> tuple[list[dict[str, object]], Chain]:
    """Half a day simulated with ``batch`` calls per transaction: the tally, and the chain."""
    monkeypatch.setattr(runner, "CALLS_PER_TRANSACTION", batch)
    # The same campaign code for every centre: it seeds the order options are shown in.
    monkeypatch.setattr(factories, "_serial", itertools.count(1))
    engine = make_engine(f"sqlite:///{folder / f'batch-{batch}.sqlite3'}")
    upgrade(engine)
    rows = _simulate(make(engine), days=0.5, rates=rates).rows()
    with transaction(engine) as session:
        chain = [(seq, digest) for seq, digest in session.execute(
            select(TraceEvent.seq, TraceEvent.hash).order_by(TraceEvent.id))]
    engine.dispose()
    return rows, chain


def test_calls_committed_in_batches_are_the_calls_committed_one_by_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each call reads what the calls before it wrote, committed or not: the same trace,
    event for event, whatever the batch."""
    one_by_one = _run_in_batches(tmp_path, 1, _centre, monkeypatch)
    assert len(one_by_one[1]) > 500
    assert _run_in_batches(tmp_path, 50, _centre, monkeypatch) == one_by_one


def test_a_contact_claimed_again_within_a_batch_is_read_afresh(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy number is claimed again minutes later, in the same transaction as its last
    call: the claim changed the row behind the session's copy, which must not be used."""
    def busy_line(engine: Engine) -> Centre:
        return build(engine, agents={"NL1": ["nl"]}, contacts=[("+32470000001", "nl")],
                     max_attempts=20)

    # No backlog sample, which commits the batch, between the calls: the retries come every
    # 15 minutes, as the samples do.
    monkeypatch.setattr(runner, "SAMPLE_EVERY", dt.timedelta(days=1))
    one_by_one = _run_in_batches(tmp_path, 1, busy_line, monkeypatch, ALL_BUSY)
    assert sum(row["attempts"] for row in one_by_one[0]) >= 3
    assert _run_in_batches(tmp_path, 50, busy_line, monkeypatch, ALL_BUSY) == one_by_one
