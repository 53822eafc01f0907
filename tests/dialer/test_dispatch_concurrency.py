"""Several dispatcher processes at once, on SQLite and PostgreSQL: no contact is ever held
twice, and a process killed with SIGKILL loses nothing (its claims come back after the lease)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import Engine, update

from dialer.contacts import add_contact
from dialer.db import transaction
from dialer.dispatch import Dispatcher
from dialer.models import Contact, ContactState
from tests.conftest import REPO
from tests.dialer import factories

NOW = dt.datetime(2026, 11, 24, 11, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(minutes=10)
WORKERS = 4
AGENTS_PER_WORKER = 3
CONTACTS = 600


def _prepare(engine: Engine) -> tuple[set[int], list[list[int]]]:
    """A running campaign with CONTACTS Dutch contacts, and the agents of each worker."""
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        contacts = {add_contact(session, campaign, f"+3247{serial:07d}", "nl").id
                    for serial in range(CONTACTS)}
        agents = [[factories.agent(session, site, ["nl"]).id for _ in range(AGENTS_PER_WORKER)]
                  for _ in range(WORKERS)]
    return contacts, agents


def _start(url: str, agents: list[int], start_file: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tests.dialer.dispatch_worker", url, NOW.isoformat(),
               str(LEASE.total_seconds()), *map(str, agents)]
    return subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "START_FILE": str(start_file)})


def _start_together(workers: list[subprocess.Popen[str]], start_file: Path) -> None:
    for worker in workers:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    start_file.touch()


def _claimed(output: str) -> list[int]:
    return [int(line) for line in output.split()]


def test_concurrent_dispatchers_never_hold_a_contact_twice(committed: tuple[Engine, str],
                                                           tmp_path: Path) -> None:
    engine, url = committed
    contacts, agents = _prepare(engine)
    start_file = tmp_path / "go"
    workers = [_start(url, group, start_file) for group in agents]
    _start_together(workers, start_file)
    outputs = [worker.communicate(timeout=240)[0] for worker in workers]

    assert all(worker.returncode == 0 for worker in workers)
    claims = Counter(contact for output in outputs for contact in _claimed(output))
    assert [contact for contact, times in claims.items() if times > 1] == []
    assert set(claims) == contacts
    assert all(_claimed(output) for output in outputs), "every worker took part"


def test_a_killed_dispatcher_loses_nothing(committed: tuple[Engine, str], tmp_path: Path) -> None:
    engine, url = committed
    contacts, agents = _prepare(engine)
    start_file = tmp_path / "go"
    victim = _start(url, agents[0], start_file)
    survivors = [_start(url, group, start_file) for group in agents[1:]]
    _start_together([victim, *survivors], start_file)
    assert victim.stdout is not None
    for _ in range(5):
        assert victim.stdout.readline().strip()
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    outputs = [worker.communicate(timeout=240)[0] for worker in survivors]
    assert victim.returncode == -signal.SIGKILL

    taken_by_survivors = Counter(c for output in outputs for c in _claimed(output))
    assert max(taken_by_survivors.values()) == 1
    held_by_the_dead = contacts - set(taken_by_survivors)
    assert held_by_the_dead, "the killed process held claims when it died"

    with transaction(engine) as session:  # the survivors' calls end; the dead one's never do
        session.execute(update(Contact).where(Contact.id.in_(taken_by_survivors))
                        .values(state=ContactState.DONE))
    dispatcher = Dispatcher(engine, lease=LEASE, roster_ttl=dt.timedelta(0))
    assert dispatcher.next_call(agents[1][0], NOW) is None, "held until the lease runs out"
    came_back = []
    after_lease = NOW + LEASE
    started = time.monotonic()
    while (claim := dispatcher.next_call(agents[1][0], after_lease)) is not None:
        came_back.append(claim.contact_id)
        assert time.monotonic() - started < 120
    assert sorted(came_back) == sorted(held_by_the_dead)
