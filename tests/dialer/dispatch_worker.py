"""A dispatcher process for the concurrency tests.

``python -m tests.dialer.dispatch_worker URL NOW LEASE_SECONDS AGENT_ID...`` claims contacts for
its agents in turn, at the given instant, until none is left, printing each claimed contact id
on its own line as soon as the claim has committed. It prints ``ready`` once connected, then
waits for the file named by the ``START_FILE`` environment variable, so that every worker
starts together.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

from dialer.db import make_engine
from dialer.dispatch import Dispatcher

#: Between two claims, as an agent would take a moment; it also lets SQLite, whose waiting
#: writers poll for the lock, hand it to another process instead of one worker taking all.
PAUSE_SECONDS = 0.002


def main(arguments: list[str]) -> None:
    url, now_text, lease_seconds, *agent_ids = arguments
    now = dt.datetime.fromisoformat(now_text)
    dispatcher = Dispatcher(make_engine(url), lease=dt.timedelta(seconds=float(lease_seconds)),
                            roster_ttl=dt.timedelta(minutes=5))
    start_file = os.environ.get("START_FILE")
    print("ready", flush=True)
    while start_file and not Path(start_file).exists():
        time.sleep(0.01)
    agents = [int(agent_id) for agent_id in agent_ids]
    while agents:
        for agent_id in list(agents):
            claim = dispatcher.next_call(agent_id, now)
            if claim is None:
                agents.remove(agent_id)
            else:
                print(claim.contact_id, flush=True)
                time.sleep(PAUSE_SECONDS)


if __name__ == "__main__":
    main(sys.argv[1:])
