"""The call trace from the attacker's side, on SQLite and PostgreSQL: a committed chain of two
campaigns is changed with raw SQL, the way someone with write access to the database would,
and verifying names the event where it breaks. Appends from several threads never fork a
chain, and verifying while the dialer appends finds nothing wrong."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import JSON, Engine, bindparam, event, select, text
from sqlalchemy.orm import Session

from dialer.contacts import add_contact
from dialer.db import transaction
from dialer.errors import DialerError
from dialer.models import Attempt, DialingMode, TraceEvent, UTCDateTime
from dialer.trace import (
    GENESIS,
    Entry,
    Fault,
    append,
    canonical_form,
    chain_hash,
    chained_campaigns,
    verify_chain,
)
from tests.database_fixtures import require_backend
from tests.dialer import factories
from tests.dialer.databases import BACKENDS, migrated_database

T0 = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)


@dataclass
class Story:
    """Two campaigns' chains: A with 12 events, B with 8, appended interleaved."""

    campaigns: dict[str, int] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    #: Row id of each event, by campaign letter and position.
    rows: dict[tuple[str, int], int] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)


def _at(step: int) -> dt.datetime:
    return T0 + dt.timedelta(seconds=37 * step, microseconds=123_457 * step % 1_000_000)


def tell_story(session: Session) -> Story:
    """Two running campaigns, their contacts and attempts, and the trace of their calls: answers
    in several scripts, floats, nested lists, a withdrawal and a correction."""
    story = Story()
    site = factories.site(session)
    agent = factories.agent(session, site, ["fr", "ru", "tr"])
    actor = f"agent:{agent.code}"
    for letter, phone, language in [("A", "+32470123401", "fr"), ("B", "+32470123402", "tr")]:
        campaign = factories.campaign(session)
        contact = add_contact(session, campaign, phone, language)
        attempt = Attempt(contact_id=contact.id, campaign_id=campaign.id, agent_id=agent.id,
                          ordinal=1, mode=DialingMode.PREVIEW, claimed_at=T0,
                          lease_until=T0 + dt.timedelta(minutes=10))
        session.add(attempt)
        session.flush()
        story.campaigns[letter], story.codes[letter] = campaign.id, campaign.code
        story.contacts[letter], story.phones[letter] = contact.id, phone
        story.attempts[letter] = attempt.id
    a, b = story.attempts["A"], story.attempts["B"]
    ca, cb = story.contacts["A"], story.contacts["B"]
    call_a: list[Entry] = [
        Entry("claimed", "dialer", _at(1), ca, a, data={"agent": agent.code, "lease_s": 600}),
        Entry("dial_requested", "telephony:sim", _at(2), ca, a, data={"backend": "sim"}),
        Entry("answered", "telephony:sim", _at(3), ca, a, data={"after_seconds": 7.25}),
        Entry("connected", "dialer", _at(4), ca, a, 901, {"agent": agent.code}),
        Entry("answer", actor, _at(5), ca, a, 901,
              {"question": "satisfaction", "value": 4, "shown_order": [3, 1, 2, 5, 4],
               "label": "Très satisfait — « vraiment »"}),
        Entry("answer", actor, _at(6), ca, a, 901,
              {"question": "comment", "value": "Всё отлично, спасибо! 👍 ñ 中文"}),
        Entry("answer", actor, _at(7), ca, a, 901,
              {"question": "grid", "value": [[1, 2.5], ["a", {"nested": [0.1, -3e-7, None]}]]}),
        Entry("withdrawn", actor, _at(8), ca, a, 901, {"question": "grid"}),
        Entry("hangup", "telephony:sim", _at(9), ca, a, 901,
              {"party": "respondent", "duration_s": 312.5, "disposition": "1.1"}),
        Entry("claimed", "dialer", _at(10), ca, None, None, {"agent": agent.code}),
        Entry("no_answer", "telephony:sim", _at(11), ca, None, None, {"disposition": "3.13"}),
        Entry("corrected", "supervisor:Inès Dupont", _at(12), ca, None, 901,
              {"question": "satisfaction", "from": 4, "to": 5, "reason": "réponse mal saisie"}),
    ]
    call_b: list[Entry] = [
        Entry("claimed", "dialer", _at(1), cb, b, data={"agent": agent.code}),
        Entry("dial_requested", "telephony:sim", _at(2), cb, b, data={}),
        Entry("answered", "telephony:sim", _at(3), cb, b, data={"after_seconds": 12.0}),
        Entry("connected", "dialer", _at(4), cb, b, 902, {}),
        Entry("answer", actor, _at(5), cb, b, 902,
              {"question": "q1", "value": "Evet, memnunum — ğüşıöçİ"}),
        Entry("answer", actor, _at(6), cb, b, 902, {"question": "rating", "value": 9.75}),
        Entry("answer", actor, _at(7), cb, b, 902,
              {"question": "open", "value": "Po, shumë mirë", "shown_order": []}),
        Entry("hangup", "telephony:sim", _at(8), cb, b, 902,
              {"party": "agent", "duration_s": 201.125, "disposition": "1.1"}),
    ]
    for start, stop in [(0, 3), (3, 4), (4, 9), (9, 12)]:
        for letter, entries in (("A", call_a), ("B", call_b)):
            if start < len(entries):
                append(session, story.campaigns[letter], entries[start:stop])
    for letter in "AB":
        for seq, row_id in session.execute(select(TraceEvent.seq, TraceEvent.id).where(
                TraceEvent.campaign_id == story.campaigns[letter])):
            story.rows[letter, seq] = row_id
    return story


@pytest.fixture(scope="module", params=BACKENDS)
def chained(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Engine, Story]]:
    """A database of the module's own where the story has committed."""
    backend = str(request.param)
    require_backend(backend)
    with migrated_database(backend, tmp_path_factory.mktemp(backend)) as (engine, _url):
        with transaction(engine) as session:
            story = tell_story(session)
        yield engine, story


@contextmanager
def attack(engine: Engine) -> Iterator[Session]:
    """A session in a transaction rolled back afterwards: the attack and the verification
    happen inside it, and the committed chain is intact for the next test."""
    with engine.connect() as connection:
        outer = connection.begin()
        with Session(connection) as session:
            yield session
        outer.rollback()


def sql(session: Session, statement: str, **values: Any) -> None:
    session.execute(text(statement), values)


def row_hash(session: Session, campaign_id: int, seq: int) -> str:
    return str(session.scalar(text("SELECT hash FROM trace_events WHERE campaign_id = :c "
                                   "AND seq = :s"), {"c": campaign_id, "s": seq}))


def test_an_untouched_chain_verifies(chained: tuple[Engine, Story]) -> None:
    engine, story = chained
    with attack(engine) as session:
        assert chained_campaigns(session) == sorted(story.campaigns.values())
        for letter, events in (("A", 12), ("B", 8)):
            report = verify_chain(session, story.campaigns[letter], batch=5)
            assert report.fault is None, str(report.fault)
            assert report.events == events
            assert report.head_hash == row_hash(session, story.campaigns[letter], events)


def test_the_data_comes_back_as_it_was_stored(chained: tuple[Engine, Story]) -> None:
    engine, story = chained
    with attack(engine) as session:
        grid = session.scalar(select(TraceEvent.data).where(
            TraceEvent.id == story.rows["A", 7]))
        comment = session.scalar(select(TraceEvent.data).where(
            TraceEvent.id == story.rows["A", 6]))
    assert grid == {"question": "grid", "value": [[1, 2.5], ["a", {"nested": [0.1, -3e-7,
                                                                             None]}]]}
    assert comment == {"question": "comment", "value": "Всё отлично, спасибо! 👍 ñ 中文"}


def test_a_hash_can_be_recomputed_without_this_program(chained: tuple[Engine, Story]) -> None:
    """SHA-256 over the previous hash's bytes and the sorted, compact JSON of the event (for
    ASCII text and integers, RFC 8785 is exactly that)."""
    engine, story = chained
    with attack(engine) as session:
        first, second = session.execute(text(
            "SELECT seq, at, kind, actor, contact_id, attempt_id, interview_id, prev_hash, hash "
            "FROM trace_events WHERE campaign_id = :c AND seq IN (1, 2) ORDER BY seq"),
            {"c": story.campaigns["B"]}).all()
    assert first.prev_hash == GENESIS and second.prev_hash == first.hash
    document = {"campaign": story.campaigns["B"], "seq": 2, "kind": "dial_requested",
                "actor": "telephony:sim", "at": "2026-11-24T10:01:14.246914+00:00",
                "contact": story.contacts["B"], "attempt": story.attempts["B"],
                "interview": None, "data": {}}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    assert second.hash == hashlib.sha256(bytes.fromhex(first.hash) + canonical).hexdigest()


def _update_data(session: Session, story: Story) -> None:
    data = bindparam("data", type_=JSON)
    session.execute(text("UPDATE trace_events SET data = :data WHERE id = :id")
                    .bindparams(data),
                    {"id": story.rows["A", 5],
                     "data": {"question": "satisfaction", "value": 1,
                              "shown_order": [3, 1, 2, 5, 4],
                              "label": "Très satisfait — « vraiment »"}})


def _nudge_time(session: Session, story: Story) -> None:
    at = bindparam("at", type_=UTCDateTime)
    session.execute(text("UPDATE trace_events SET at = :at WHERE id = :id").bindparams(at),
                    {"id": story.rows["A", 3], "at": _at(3) + dt.timedelta(microseconds=1)})


def _change_actor(session: Session, story: Story) -> None:
    sql(session, "UPDATE trace_events SET actor = 'agent:AG9999' WHERE id = :id",
        id=story.rows["A", 7])


def _delete_middle(session: Session, story: Story) -> None:
    sql(session, "DELETE FROM trace_events WHERE id = :id", id=story.rows["A", 6])


def _delete_first(session: Session, story: Story) -> None:
    sql(session, "DELETE FROM trace_events WHERE id = :id", id=story.rows["A", 1])


def _delete_last(session: Session, story: Story) -> None:
    sql(session, "DELETE FROM trace_events WHERE id = :id", id=story.rows["A", 12])


def _swap(session: Session, story: Story) -> None:
    for row, seq in [(story.rows["A", 8], -8), (story.rows["A", 9], 8),
                     (story.rows["A", 8], 9)]:
        sql(session, "UPDATE trace_events SET seq = :seq WHERE id = :id", id=row, seq=seq)


def _relink(session: Session, story: Story) -> None:
    """Event 4 rewritten, self-consistent, to follow event 2, as if event 3 never was."""
    campaign = story.campaigns["A"]
    row = session.execute(select(TraceEvent.__table__).where(
        TraceEvent.id == story.rows["A", 4])).one()
    entry = Entry(row.kind, row.actor, row.at, row.contact_id, row.attempt_id,
                  row.interview_id, row.data)
    prev = row_hash(session, campaign, 2)
    sql(session, "UPDATE trace_events SET prev_hash = :p, hash = :h WHERE id = :id",
        id=row.id, p=prev, h=chain_hash(prev, canonical_form(campaign, 4, entry)))


def _replace_with_its_hash(session: Session, story: Story) -> None:
    """Event 10 changed and its hash recomputed: the chain breaks at the next event, which
    still links to the old hash."""
    campaign = story.campaigns["A"]
    changed = Entry("claimed", "dialer", _at(10), story.contacts["A"], None, None,
                    {"agent": "AG9999"})
    sql(session, "UPDATE trace_events SET data = :d, hash = :h WHERE id = :id",
        id=story.rows["A", 10], d=json.dumps({"agent": "AG9999"}),
        h=chain_hash(row_hash(session, campaign, 9), canonical_form(campaign, 10, changed)))


def _add_past_the_head(session: Session, story: Story) -> None:
    campaign = story.campaigns["A"]
    last = row_hash(session, campaign, 12)
    entry = Entry("answer", "agent:AG9999", _at(13), data={"value": "ajouté"})
    sql(session, "INSERT INTO trace_events (campaign_id, seq, at, kind, actor, data, "
                 "prev_hash, hash) SELECT campaign_id, 13, at, 'answer', 'agent:AG9999', "
                 "'{\"value\": \"ajouté\"}', hash, :h FROM trace_events WHERE id = :id",
        id=story.rows["A", 12], h=chain_hash(last, canonical_form(campaign, 13, entry)))


def _drop_head(session: Session, story: Story) -> None:
    sql(session, "DELETE FROM trace_heads WHERE campaign_id = :c", c=story.campaigns["A"])


#: attack, event number named, whether the fault names the event's row, words of the problem
ATTACKS: list[tuple[Callable[[Session, Story], None], int, bool, str]] = [
    (_update_data, 5, True, "content no longer matches its hash"),
    (_nudge_time, 3, True, "content no longer matches its hash"),
    (_change_actor, 7, True, "answer by agent:AG9999"),
    (_delete_middle, 6, False, "missing: the event before #7 is #5 (removed)"),
    (_delete_first, 1, False, "missing"),
    (_delete_last, 12, False, "ends at #11: the events after it were removed"),
    (_swap, 8, True, "does not link to the event before it"),
    (_relink, 4, True, "does not link to the event before it"),
    (_replace_with_its_hash, 11, True, "an event before it was replaced"),
    (_add_past_the_head, 13, False, "events were added past the head"),
    (_drop_head, 12, False, "no recorded head"),
]


@pytest.mark.parametrize(("tamper", "seq", "names_row", "problem"), ATTACKS,
                         ids=[attack[0].__name__.strip("_") for attack in ATTACKS])
def test_a_changed_chain_names_the_event(chained: tuple[Engine, Story],
                                         tamper: Callable[[Session, Story], None], seq: int,
                                         names_row: bool, problem: str) -> None:
    engine, story = chained
    with attack(engine) as session:
        tamper(session, story)
        report = verify_chain(session, story.campaigns["A"], batch=4)
        other = verify_chain(session, story.campaigns["B"])
    assert report.fault is not None
    assert (report.fault.campaign_id, report.fault.seq) == (story.campaigns["A"], seq)
    expected_row = story.rows["A", 9 if tamper is _swap else seq] if names_row else None
    assert report.fault.event_id == expected_row
    assert problem in report.fault.problem
    assert f"event #{seq}" in str(report.fault)
    assert other.fault is None and other.events == 8, "the other campaign's chain is intact"


def test_progress_counts_every_event(chained: tuple[Engine, Story]) -> None:
    engine, story = chained
    done: list[int] = []
    with attack(engine) as session:
        report = verify_chain(session, story.campaigns["A"], batch=5, progress=done.append)
    assert report.fault is None and done == [5, 5, 2]


def test_data_that_is_not_canonical_json_is_refused(session: Session) -> None:
    campaign = factories.campaign(session)
    for data in ({"value": float("nan")}, {"value": 2**60}, {"value": b"bytes"}):
        with pytest.raises(DialerError) as refused:
            append(session, campaign.id, [Entry("answer", "agent:AG1", T0, data=data)])
        assert refused.value.code == "trace_data"
    with pytest.raises(DialerError) as naive:
        append(session, campaign.id, [Entry("answer", "agent:AG1", T0.replace(tzinfo=None))])
    assert naive.value.code == "trace_data"
    assert session.scalar(select(TraceEvent.id).where(
        TraceEvent.campaign_id == campaign.id)) is None, "nothing was appended"


def test_appending_gives_positions_and_links(session: Session) -> None:
    campaign = factories.campaign(session)
    assert append(session, campaign.id, []) == []
    assert append(session, campaign.id, [Entry("claimed", "dialer", T0),
                                         Entry("dial_requested", "telephony:sim", T0)]) == [1, 2]
    assert append(session, campaign.id, [Entry("hangup", "telephony:sim", T0)]) == [3]
    report = verify_chain(session, campaign.id)
    assert report.fault is None and report.events == 3


def _append_in_threads(engine: Engine, campaign_id: int, threads: int, rounds: int) -> None:
    """``threads`` threads, released together, each committing ``rounds`` appends of one to
    three events; an error in any thread fails the test."""
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            barrier.wait()
            for round_ in range(rounds):
                entries = [Entry("answer", f"agent:W{worker}", _at(round_),
                                 data={"worker": worker, "round": round_, "part": part})
                           for part in range(1 + (worker + round_) % 3)]
                with transaction(engine) as session:
                    append(session, campaign_id, entries)
        except BaseException as error:  # reported by the test below
            errors.append(error)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []


def test_concurrent_appends_never_fork_the_chain(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        campaign_id = factories.campaign(session).id
    _append_in_threads(engine, campaign_id, threads=4, rounds=25)

    expected = sum(1 + (worker + round_) % 3 for worker in range(4) for round_ in range(25))
    with transaction(engine) as session:
        seqs = list(session.scalars(select(TraceEvent.seq).where(
            TraceEvent.campaign_id == campaign_id).order_by(TraceEvent.seq)))
        report = verify_chain(session, campaign_id)
        writers = set(session.scalars(select(TraceEvent.actor)))
    assert seqs == list(range(1, expected + 1))
    assert report.fault is None and report.events == expected
    assert writers == {f"agent:W{n}" for n in range(4)}


def test_verifying_while_events_are_appended_finds_nothing_wrong(
        committed: tuple[Engine, str]) -> None:
    """An append commits before each statement verifying runs, in turn: whatever it sees of
    the appends (PostgreSQL sees more with every statement), the chain holds."""
    engine, _url = committed
    with transaction(engine) as session:
        campaign_id = factories.campaign(session).id
        append(session, campaign_id, [Entry("claimed", "dialer", _at(n)) for n in range(9)])

    def statements_of_one_run(inject_before: int | None) -> int:
        seen = 0

        def before(*_args: Any) -> None:
            nonlocal seen
            if seen == inject_before:
                with transaction(engine) as other:
                    append(other, campaign_id, [Entry("ended", "dialer", _at(20))])
            seen += 1

        with engine.connect() as connection:
            event.listen(connection, "before_cursor_execute", before)
            with Session(connection) as session, session.begin():
                report = verify_chain(session, campaign_id, batch=4)
        assert report.fault is None, f"append before statement {inject_before}: {report.fault}"
        return seen

    for position in range(statements_of_one_run(None) + 1):
        statements_of_one_run(position)


def test_a_fault_is_told_in_one_line() -> None:
    assert str(Fault(3, 7, 41, "changed")) == "campaign 3, event #7 (row id 41): changed"
    assert str(Fault(3, 7, None, "missing")) == "campaign 3, event #7: missing"
