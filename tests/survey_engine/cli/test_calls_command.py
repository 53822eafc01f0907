"""``survey-engine calls`` as a supervisor uses it: refused dials with their reason (never the
number), calls in progress."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import Engine

from dialer.config import DATABASE_URL_VARIABLE
from dialer.contacts import add_do_not_call
from dialer.db import transaction
from dialer.models import utc_now
from survey_engine.cli import main
from tests.dialer.callflow import build

NUMBER = "+32470000001"


def run(url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env={DATABASE_URL_VARIABLE: url})
    return result.exit_code, result.output


def test_a_refused_dial_is_listed_with_its_reason(committed: tuple[Engine, str]) -> None:
    engine, url = committed
    centre = build(engine, agents={"TR1": ["tr"], "TR2": ["tr"]},
                   contacts=[(NUMBER, "tr"), ("+32470000002", "tr")], holidays_off=False)
    now = utc_now()
    refused = centre.claim("TR1", now)
    with transaction(engine) as session:
        add_do_not_call(session, NUMBER, "asked by letter")
    assert centre.desk.dial(refused.attempt_id, now).refused == "do_not_call"
    live = centre.claim("TR2", now)
    assert centre.desk.dial(live.attempt_id, now).answered

    code, output = run(url, "calls", "refused")
    assert code == 0, output
    header, row = output.splitlines()
    assert header.split() == ["TIME", "(UTC)", "CAMPAIGN", "ATTEMPT", "AGENT", "REASON"]
    assert row.split()[2:] == [centre.campaign_code, str(refused.attempt_id), "TR1",
                               "do_not_call"]
    assert "470" not in output

    code, output = run(url, "calls", "live")
    assert code == 0, output
    assert output.splitlines()[1].split()[:3] == [str(live.attempt_id), centre.campaign_code,
                                                  "TR2"]

    code, output = run(url, "calls", "refused", "--campaign", "NOPE")
    assert code == 1 and "NOPE" in output


def test_nothing_refused_says_so(committed: tuple[Engine, str]) -> None:
    engine, url = committed
    build(engine, agents={"TR1": ["tr"]}, contacts=[(NUMBER, "tr")])
    code, output = run(url, "calls", "refused", "--hours", "2")
    assert (code, output.strip()) == (0, "no refused dials in the last 2 hours")
    assert run(url, "calls", "live")[1].strip() == "no calls in progress"
