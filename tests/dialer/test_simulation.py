"""The simulator runs days on a virtual clock through the real dispatcher, call desk and
interview desk: what it reports is what the database holds, the trace verifies, the same seed
gives the same run, and languages nobody speaks show up as backlog."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import Engine, func, select

from dialer.db import make_engine, transaction
from dialer.models import Attempt, Contact, Shift, TraceEvent
from dialer.outcomes import DISPOSITIONS
from dialer.schema import upgrade
from dialer.simulation.runner import Simulation
from dialer.simulation.tally import Tally
from dialer.telephony import SimBackend
from dialer.trace import verify_chain
from tests.dialer.callflow import TUESDAY_NOON, Centre, build

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


def _simulate(centre: Centre, seed: int = 3, days: float = 1) -> Tally:
    return Simulation(centre.engine, SimBackend(seed=seed), START, days).run()


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
