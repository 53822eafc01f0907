"""next_call: who gets which contact, when, in which order; on SQLite and PostgreSQL.

Time is given explicitly: 2026-11-24T01:00Z is Tuesday 02:00 in Brussels and Monday 20:00 in
Montréal and New York.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from dialer.campaigns import campaign_by_code
from dialer.contacts import add_contact, add_do_not_call, add_exclusion
from dialer.db import transaction
from dialer.dispatch import Claim, Dispatcher
from dialer.errors import DialerError
from dialer.models import Agent, Contact, ContactPhase, ContactState, LanguageLevel
from tests.dialer import factories

UTC = dt.UTC
NIGHT_IN_BRUSSELS = dt.datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
TUESDAY_NOON_BRUSSELS = dt.datetime(2026, 11, 24, 11, 0, tzinfo=UTC)
LEASE = dt.timedelta(minutes=10)


def _number(serial: int) -> str:
    return f"+3247012{serial:04d}"


@pytest.fixture
def dispatcher(session: Session) -> Dispatcher:
    """A dispatcher working inside the test's rolled-back session."""
    return factories.SessionDispatcher(session, lease=LEASE)


def _claim_all(dispatcher: Dispatcher, agent: Agent | int, now: dt.datetime) -> list[Claim]:
    agent_id = agent if isinstance(agent, int) else agent.id
    claimed = []
    while (claim := dispatcher.next_call(agent_id, now)) is not None:
        claimed.append(claim)
        assert len(claimed) < 1000
    return claimed


def test_an_agent_gets_only_contacts_in_languages_they_speak(session: Session,
                                                             dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    dutch = add_contact(session, campaign, _number(1), "nl")
    add_contact(session, campaign, "+33612345678", "fr")
    speaker = factories.agent(session, site, ["nl", "en"])
    claimed = _claim_all(dispatcher, speaker, TUESDAY_NOON_BRUSSELS)
    assert [claim.contact_id for claim in claimed] == [dutch.id]
    assert claimed[0].language == "nl"


def test_a_claim_carries_a_masked_number_never_the_number(session: Session,
                                                          dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    add_contact(session, campaign, "+32470123467", "nl")
    claim = dispatcher.next_call(factories.agent(session, site, ["nl"]).id,
                                 TUESDAY_NOON_BRUSSELS)
    assert claim is not None
    assert claim.masked_number == "+32 4•• •• •• 67"
    assert "0123" not in repr(claim)


def test_language_level_below_the_campaign_minimum_gets_nothing(session: Session,
                                                                dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    add_contact(session, campaign, _number(1), "nl")
    learner = factories.agent(session, site, {"nl": LanguageLevel.WORKING})
    assert dispatcher.next_call(learner.id, TUESDAY_NOON_BRUSSELS) is None
    fluent = factories.agent(session, site, {"nl": LanguageLevel.FLUENT})
    assert dispatcher.next_call(fluent.id, TUESDAY_NOON_BRUSSELS) is not None


def test_at_two_in_the_night_in_brussels_only_america_is_dispatched(
        session: Session, dispatcher: Dispatcher) -> None:
    site = factories.site(session, "Europe/Brussels")
    campaign = factories.campaign(session, windows=factories.WEEKDAYS_9_TO_21)
    in_brussels = add_contact(session, campaign, _number(1), "fr")
    in_montreal = add_contact(session, campaign, "+15143981234", "fr")
    in_new_york = add_contact(session, campaign, "+12127361234", "en")
    night_shift = [(0, dt.time(22), dt.time(6))]
    agent = factories.agent(session, site, ["fr", "en", "nl"], shifts=night_shift)

    claimed = {claim.contact_id for claim in _claim_all(dispatcher, agent, NIGHT_IN_BRUSSELS)}

    assert claimed == {in_montreal.id, in_new_york.id}
    assert in_brussels.id not in claimed


def test_an_agent_off_shift_is_refused(session: Session, dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    factories.campaign(session)
    day_shift = [(1, dt.time(8), dt.time(16))]
    agent = factories.agent(session, site, ["nl"], shifts=day_shift)
    with pytest.raises(DialerError) as refused:
        dispatcher.next_call(agent.id, NIGHT_IN_BRUSSELS)
    assert refused.value.code == "off_shift"


def test_an_unknown_agent_is_refused(session: Session, dispatcher: Dispatcher) -> None:
    with pytest.raises(DialerError) as refused:
        dispatcher.next_call(987654, TUESDAY_NOON_BRUSSELS)
    assert refused.value.code == "agent_unknown"


def test_do_not_call_added_after_import_is_never_dispatched(session: Session,
                                                            dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    listed = add_contact(session, campaign, _number(1), "nl")
    allowed = add_contact(session, campaign, _number(2), "nl")
    add_do_not_call(session, _number(1), "asked on 2026-11-20")
    session.refresh(listed)
    assert listed.state is ContactState.DO_NOT_CALL
    agent = factories.agent(session, site, ["nl"])
    assert [c.contact_id for c in _claim_all(dispatcher, agent, TUESDAY_NOON_BRUSSELS)] \
        == [allowed.id]


def test_excluded_numbers_and_prefixes_go_to_other_agents(session: Session,
                                                          dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    by_number = add_contact(session, campaign, _number(1), "nl")
    by_prefix = add_contact(session, campaign, "+32471999999", "nl")
    other = add_contact(session, campaign, _number(3), "nl")
    restricted = factories.agent(session, site, ["nl"])
    add_exclusion(session, restricted, _number(1), "victim")
    add_exclusion(session, restricted, "+32 471", "relatives' area")
    colleague = factories.agent(session, site, ["nl"])

    got = [c.contact_id for c in _claim_all(dispatcher, restricted, TUESDAY_NOON_BRUSSELS)]
    assert got == [other.id]
    rest = {c.contact_id for c in _claim_all(dispatcher, colleague, TUESDAY_NOON_BRUSSELS)}
    assert rest == {by_number.id, by_prefix.id}


def test_contacts_without_attempts_left_or_not_waiting_are_not_dispatched(
        session: Session, dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session, max_attempts=2)
    exhausted = add_contact(session, campaign, _number(1), "nl")
    exhausted.attempts = 2
    quota_full = add_contact(session, campaign, _number(2), "nl")
    quota_full.state = ContactState.QUOTA_FULL
    done = add_contact(session, campaign, _number(3), "nl")
    done.state = ContactState.DONE
    one_left = add_contact(session, campaign, _number(4), "nl")
    one_left.attempts = 1
    session.flush()
    agent = factories.agent(session, site, ["nl"])
    assert [c.contact_id for c in _claim_all(dispatcher, agent, TUESDAY_NOON_BRUSSELS)] \
        == [one_left.id]


def test_paused_and_draft_campaigns_are_not_dispatched(session: Session,
                                                       dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    draft = factories.campaign(session, start=False)
    add_contact(session, draft, _number(1), "nl")
    running = factories.campaign(session)
    add_contact(session, running, _number(2), "nl")
    running.pause()
    session.flush()
    agent = factories.agent(session, site, ["nl"])
    assert dispatcher.next_call(agent.id, TUESDAY_NOON_BRUSSELS) is None
    running.resume()
    session.flush()
    claim = dispatcher.next_call(agent.id, TUESDAY_NOON_BRUSSELS)
    assert claim is not None and claim.campaign_id == running.id


def test_a_held_contact_goes_to_nobody_else_until_its_lease_runs_out(
        session: Session, dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    contact = add_contact(session, campaign, _number(1), "nl")
    first, second = (factories.agent(session, site, ["nl"]) for _ in range(2))
    claim = dispatcher.next_call(first.id, TUESDAY_NOON_BRUSSELS)
    assert claim is not None and claim.contact_id == contact.id
    just_before = TUESDAY_NOON_BRUSSELS + LEASE - dt.timedelta(seconds=1)
    assert dispatcher.next_call(second.id, just_before) is None
    again = dispatcher.next_call(second.id, TUESDAY_NOON_BRUSSELS + LEASE)
    assert again is not None and again.contact_id == contact.id and again.agent_id == second.id


def _set(session: Session, contact: Contact, **values: object) -> None:
    session.execute(update(Contact).where(Contact.id == contact.id).values(**values))


def test_dispatch_order_appointments_then_retries_then_fresh_by_priority(
        session: Session, dispatcher: Dispatcher) -> None:
    now = TUESDAY_NOON_BRUSSELS
    site = factories.site(session)
    me, colleague = (factories.agent(session, site, ["nl"]) for _ in range(2))
    low = factories.campaign(session, priority=1)
    high = factories.campaign(session, priority=5)
    fresh_low = add_contact(session, low, _number(1), "nl", due_at=now - dt.timedelta(days=2))
    fresh_high = add_contact(session, high, _number(2), "nl", due_at=now - dt.timedelta(hours=1))
    retry = add_contact(session, low, _number(3), "nl")
    _set(session, retry, phase=int(ContactPhase.RETRY), due_at=now - dt.timedelta(minutes=5))
    future_retry = add_contact(session, high, _number(4), "nl")
    _set(session, future_retry, phase=int(ContactPhase.RETRY), due_at=now + dt.timedelta(hours=1))
    theirs = add_contact(session, low, _number(5), "nl")
    _set(session, theirs, phase=int(ContactPhase.APPOINTMENT), appointment_agent_id=colleague.id,
         due_at=now - dt.timedelta(minutes=1))
    mine = add_contact(session, low, _number(6), "nl")
    _set(session, mine, phase=int(ContactPhase.APPOINTMENT), appointment_agent_id=me.id,
         due_at=now)
    unpromised = add_contact(session, low, _number(7), "nl")
    _set(session, unpromised, phase=int(ContactPhase.APPOINTMENT),
         due_at=now - dt.timedelta(minutes=2))

    order = [claim.contact_id for claim in _claim_all(dispatcher, me, now)]

    assert order == [mine.id, unpromised.id, retry.id, fresh_high.id, fresh_low.id]
    late = now + dt.timedelta(minutes=9)
    assert [c.contact_id for c in _claim_all(dispatcher, me, late)] == [theirs.id]


def test_waiting_agents_are_served_idle_longest_first(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        contact_id = add_contact(session, campaign, _number(1), "nl").id
        newer, older, other_language = (factories.agent(session, site, languages).id
                                        for languages in (["nl"], ["nl"], ["tr"]))
    dispatcher = Dispatcher(engine, roster_ttl=dt.timedelta(0))
    dispatcher.mark_ready(other_language, TUESDAY_NOON_BRUSSELS - dt.timedelta(minutes=30))
    dispatcher.mark_ready(older, TUESDAY_NOON_BRUSSELS - dt.timedelta(minutes=20))
    dispatcher.mark_ready(newer, TUESDAY_NOON_BRUSSELS - dt.timedelta(minutes=1))

    served = dispatcher.serve_waiting(TUESDAY_NOON_BRUSSELS)

    assert [(claim.agent_id, claim.contact_id) for claim in served] == [(older, contact_id)]
    with transaction(engine) as session:
        still_waiting = {agent.id for agent in session.query(Agent).filter(
            Agent.ready_since.is_not(None))}
    assert still_waiting == {newer, other_language}


def test_backlog_counts_languages_nobody_on_shift_speaks(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        turkish = {add_contact(session, campaign, _number(serial), "tr").id
                   for serial in range(3)}
        add_contact(session, campaign, _number(10), "nl")
        add_contact(session, campaign, _number(11), "ru")
        factories.agent(session, site, ["nl"])
        factories.agent(session, site, ["ru"], shifts=[(0, dt.time(8), dt.time(9))])
        evening = factories.agent(session, site, ["tr"],
                                  shifts=[(1, dt.time(18), dt.time(23))]).id
    dispatcher = Dispatcher(engine, roster_ttl=dt.timedelta(0))
    assert dispatcher.backlog(TUESDAY_NOON_BRUSSELS) == {"ru": 1, "tr": 3}

    at_seven = TUESDAY_NOON_BRUSSELS + dt.timedelta(hours=7)
    served = {claim.contact_id for claim in _claim_all(dispatcher, evening, at_seven)}
    assert served == turkish, "never dropped: given to the first Turkish speaker on shift"
    assert "tr" not in dispatcher.backlog(at_seven)


def test_release_makes_the_contact_due_again_and_renew_extends_the_lease(
        committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        add_contact(session, campaign, _number(1), "nl")
        first, second = (factories.agent(session, site, ["nl"]).id for _ in range(2))
    dispatcher = Dispatcher(engine, lease=LEASE, roster_ttl=dt.timedelta(0))
    now = TUESDAY_NOON_BRUSSELS
    claim = dispatcher.next_call(first, now)
    assert claim is not None
    renewed = dispatcher.renew(claim, now + dt.timedelta(minutes=9))
    assert renewed is not None and renewed.lease_until == now + dt.timedelta(minutes=19)
    assert dispatcher.renew(claim, now) is None, "the old lease is no longer the claim"
    assert dispatcher.next_call(second, now + dt.timedelta(minutes=15)) is None
    assert dispatcher.release(renewed, now + dt.timedelta(minutes=16))
    assert not dispatcher.release(renewed, now + dt.timedelta(minutes=16)), "released once"
    taken = dispatcher.next_call(second, now + dt.timedelta(minutes=16))
    assert taken is not None and taken.contact_id == claim.contact_id


def test_a_lost_claim_cannot_be_released_by_its_old_holder(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        add_contact(session, campaign, _number(1), "nl")
        first, second = (factories.agent(session, site, ["nl"]).id for _ in range(2))
    dispatcher = Dispatcher(engine, lease=LEASE, roster_ttl=dt.timedelta(0))
    stale = dispatcher.next_call(first, TUESDAY_NOON_BRUSSELS)
    assert stale is not None
    later = TUESDAY_NOON_BRUSSELS + LEASE
    fresh = dispatcher.next_call(second, later)
    assert fresh is not None
    assert not dispatcher.release(stale, later)
    assert dispatcher.renew(stale, later) is None



def test_nobody_is_called_on_a_public_holiday_of_their_own_country(
        session: Session, dispatcher: Dispatcher) -> None:
    national_day = dt.datetime(2026, 7, 21, 10, 0, tzinfo=UTC)  # Belgium's; a Tuesday
    site = factories.site(session)
    campaign = factories.campaign(session, windows=factories.WEEKDAYS_9_TO_21)
    imported = national_day - dt.timedelta(days=1)
    add_contact(session, campaign, _number(1), "nl", due_at=imported)
    dutch = add_contact(session, campaign, "+31612345678", "nl", due_at=imported)
    agent = factories.agent(session, site, ["nl"])
    assert [c.contact_id for c in _claim_all(dispatcher, agent, national_day)] == [dutch.id]


def test_an_inactive_agent_is_not_dispatched_to(session: Session,
                                                dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    add_contact(session, campaign, _number(1), "nl")
    agent = factories.agent(session, site, ["nl"])
    agent.active = False
    session.flush()
    with pytest.raises(DialerError) as refused:
        dispatcher.next_call(agent.id, TUESDAY_NOON_BRUSSELS)
    assert refused.value.code == "agent_unknown"


def test_numbers_written_with_a_trunk_zero_still_match(session: Session,
                                                       dispatcher: Dispatcher) -> None:
    site = factories.site(session)
    campaign = factories.campaign(session)
    add_contact(session, campaign, "+32470123401", "nl")
    add_contact(session, campaign, "+32471000002", "nl")
    kept = add_contact(session, campaign, "+32472000003", "nl")
    add_do_not_call(session, "+32 (0)470 12 34 01")
    agent = factories.agent(session, site, ["nl"])
    add_exclusion(session, agent, "+32 (0)471")
    assert [c.contact_id for c in _claim_all(dispatcher, agent, TUESDAY_NOON_BRUSSELS)] \
        == [kept.id]


def test_a_contact_refused_like_an_imported_line(session: Session) -> None:
    campaign = factories.campaign(session)
    add_do_not_call(session, _number(1))
    for phone, language, zone, code in [
            (_number(1), "nl", None, "do_not_call"),
            (_number(2), "nl", "Asia/Tokyo", "time_zone_mismatch"),
            (_number(3), "nl", "Mars/Olympus", "unknown_time_zone"),
            (_number(4), "de", None, "unknown_language"),
            ("+79161234567", "ru", None, "country")]:
        with pytest.raises(DialerError) as refused:
            add_contact(session, campaign, phone, language, time_zone=zone)
        assert refused.value.code == code, phone


def test_a_pause_takes_effect_at_the_next_claim_even_with_a_cached_roster(
        committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        for serial in range(3):
            add_contact(session, campaign, _number(serial), "nl")
        agent_id = factories.agent(session, site, ["nl"]).id
        code = campaign.code
    dispatcher = Dispatcher(engine, roster_ttl=dt.timedelta(hours=1))
    assert dispatcher.next_call(agent_id, TUESDAY_NOON_BRUSSELS) is not None
    with transaction(engine) as session:
        campaign_by_code(session, code).pause()
        add_do_not_call(session, _number(2))
    assert dispatcher.next_call(agent_id, TUESDAY_NOON_BRUSSELS) is None
    with transaction(engine) as session:
        campaign_by_code(session, code).resume()
    claim = dispatcher.next_call(agent_id, TUESDAY_NOON_BRUSSELS)
    assert claim is not None and claim.masked_number.endswith("01")
    assert dispatcher.next_call(agent_id, TUESDAY_NOON_BRUSSELS) is None, "02 is on the list"


def test_a_preview_holds_nothing_and_shows_each_contact_once(
        committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        contacts = {add_contact(session, campaign, _number(serial), "nl").id
                    for serial in range(3)}
        first, second = (factories.agent(session, site, ["nl"]).id for _ in range(2))
        night_only = factories.agent(session, site, ["nl"],
                                     shifts=[(0, dt.time(22), dt.time(6))]).id
    dispatcher = Dispatcher(engine, roster_ttl=dt.timedelta(0))
    shown = dispatcher.preview([first, second, night_only], TUESDAY_NOON_BRUSSELS, per_agent=2)
    assert [len(shown[first]), len(shown[second]), len(shown[night_only])] == [2, 1, 0]
    assert {claim.contact_id for claims in shown.values() for claim in claims} == contacts
    again = dispatcher.preview([second], TUESDAY_NOON_BRUSSELS, per_agent=3)
    assert {claim.contact_id for claim in again[second]} == contacts, "nothing stayed held"


def test_an_agent_who_gets_a_call_stops_waiting(committed: tuple[Engine, str]) -> None:
    engine, _url = committed
    with transaction(engine) as session:
        site = factories.site(session)
        campaign = factories.campaign(session)
        add_contact(session, campaign, _number(1), "nl")
        add_contact(session, campaign, _number(2), "nl")
        agent_id = factories.agent(session, site, ["nl"]).id
    dispatcher = Dispatcher(engine, roster_ttl=dt.timedelta(0))
    dispatcher.mark_ready(agent_id, TUESDAY_NOON_BRUSSELS - dt.timedelta(minutes=5))
    assert dispatcher.next_call(agent_id, TUESDAY_NOON_BRUSSELS) is not None
    assert dispatcher.serve_waiting(TUESDAY_NOON_BRUSSELS) == [], "not served twice"
