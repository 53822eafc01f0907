"""Changing an agent after the centre file: languages and levels, skills, shifts, exclusions;
each checked and refused whole; dispatch follows the change; exclusions are shown masked."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from dialer.agent_settings import (
    add_shift,
    exclude,
    exclusions_of,
    remove_shift,
    set_languages,
    set_skills,
)
from dialer.db import transaction
from dialer.errors import DialerError, NotFound
from dialer.models import Agent, AgentExclusion, LanguageLevel
from dialer.phones import mask_prefix
from tests.dialer.callflow import TUESDAY_NOON, build

RUSSIAN = "+32470000003"


def _agent(session: object, agent_id: int) -> Agent:
    found = session.get(Agent, agent_id)  # type: ignore[attr-defined]
    assert found is not None
    return found


def test_languages_and_levels_decide_what_the_agent_is_given(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"A1": ["tr"]}, contacts=[(RUSSIAN, "ru")])
    assert centre.dispatcher.next_call(centre.agents["A1"], TUESDAY_NOON) is None
    with transaction(centre.engine) as session:
        set_languages(session, _agent(session, centre.agents["A1"]),
                      {"ru": LanguageLevel.WORKING, "tr": LanguageLevel.NATIVE}, "sup:S1")
    assert centre.dispatcher.next_call(centre.agents["A1"], TUESDAY_NOON) is None, \
        "working is below the campaign's minimum level (fluent)"
    with transaction(centre.engine) as session:
        set_languages(session, _agent(session, centre.agents["A1"]),
                      {"ru": LanguageLevel.FLUENT}, "sup:S1")
    claim = centre.dispatcher.next_call(centre.agents["A1"], TUESDAY_NOON)
    assert claim is not None and claim.language == "ru"
    with transaction(centre.engine) as session:
        agent = _agent(session, centre.agents["A1"])
        assert {(s.language, s.level) for s in agent.languages} == {
            ("ru", LanguageLevel.FLUENT)}


@pytest.mark.parametrize(("levels", "code"), [({}, "no_language"),
                                              ({"Russian": LanguageLevel.NATIVE}, "language")])
def test_bad_languages_are_refused_whole(committed: tuple[Engine, str],
                                         levels: dict[str, LanguageLevel], code: str) -> None:
    centre = build(committed[0], agents={"A1": ["tr"]}, contacts=[])
    with pytest.raises(DialerError) as refused, transaction(centre.engine) as session:
        set_languages(session, _agent(session, centre.agents["A1"]), levels, "sup:S1")
    assert refused.value.code == code
    with transaction(centre.engine) as session:
        assert [s.language for s in _agent(session, centre.agents["A1"]).languages] == ["tr"]


def test_skills_replace_those_before(committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"A1": ["tr"]}, contacts=[],
                   skills={"A1": ["mentor"]})
    with transaction(centre.engine) as session:
        assert set_skills(session, _agent(session, centre.agents["A1"]),
                          ["refusal_conversion", "refusal_conversion"], "sup:S1") == [
            "refusal_conversion"]
    with pytest.raises(DialerError) as refused, transaction(centre.engine) as session:
        set_skills(session, _agent(session, centre.agents["A1"]), ["Bad Skill"], "sup:S1")
    assert refused.value.code == "skill"
    with transaction(centre.engine) as session:
        assert [s.skill for s in _agent(session, centre.agents["A1"]).skills] == [
            "refusal_conversion"]


def test_shifts_added_and_removed_decide_when_the_agent_works(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"A1": ["tr"], "B1": ["tr"]},
                   contacts=[("+32470000001", "tr")])
    with transaction(centre.engine) as session:
        agent = _agent(session, centre.agents["A1"])
        for shift in list(agent.shifts):
            remove_shift(session, agent, shift.id, "sup:S1")
    with pytest.raises(DialerError) as refused:
        centre.dispatcher.next_call(centre.agents["A1"], TUESDAY_NOON)
    assert refused.value.code == "off_shift"
    with transaction(centre.engine) as session:  # Tuesday 09:00-13:00 in Brussels
        add_shift(session, _agent(session, centre.agents["A1"]), 1, dt.time(9), dt.time(13),
                  "sup:S1")
    assert centre.dispatcher.next_call(centre.agents["A1"], TUESDAY_NOON) is not None
    for weekday, start, end in [(1, dt.time(9), dt.time(17)), (1, dt.time(8), dt.time(8)),
                                (7, dt.time(8), dt.time(9))]:
        with pytest.raises(DialerError) as bad, transaction(centre.engine) as session:
            add_shift(session, _agent(session, centre.agents["A1"]), weekday, start, end,
                      "sup:S1")
        assert bad.value.code == "shift"
    with transaction(centre.engine) as session:
        others = _agent(session, centre.agents["B1"]).shifts[0].id
        with pytest.raises(NotFound):
            remove_shift(session, _agent(session, centre.agents["A1"]), others, "sup:S1")
        assert len(_agent(session, centre.agents["B1"]).shifts) == 7


def test_an_exclusion_keeps_the_agent_from_the_number_and_is_shown_masked(
        committed: tuple[Engine, str]) -> None:
    centre = build(committed[0], agents={"A1": ["tr"]}, contacts=[("+32470000001", "tr")])
    with transaction(centre.engine) as session:
        exclude(session, _agent(session, centre.agents["A1"]), "+32 (0)470 00 00 01",
                "victim's relative", "sup:S1")
        exclude(session, _agent(session, centre.agents["A1"]), "+32 (0)471", "wing B",
                "sup:S1")
    assert centre.dispatcher.next_call(centre.agents["A1"], TUESDAY_NOON) is None
    with transaction(centre.engine) as session:
        shown = exclusions_of(session, centre.agents["A1"])
        stored = sorted(session.scalars(select(AgentExclusion.prefix)))
    assert stored == ["+32470000001", "+32471"]
    assert shown == [("+32 4•• •• •• 01", "victim's relative"), ("+32 4••", "wing B")]
    assert "470000001" not in repr(shown)
    for typed, reason, code in [("0470 00 00 02", "x", "prefix"), ("+32 0471", "x", "prefix"),
                                ("+32470000002", " ", "bad_exclusion")]:
        with pytest.raises(DialerError) as refused, transaction(centre.engine) as session:
            exclude(session, _agent(session, centre.agents["A1"]), typed, reason, "sup:S1")
        assert refused.value.code == code


@pytest.mark.parametrize(("prefix", "shown"), [("+32470123456", "+32 4•• •• •• 56"),
                                               ("+32471", "+32 4••"), ("+7", "+7"),
                                               ("+3247012345", "+32 4•••••••")])
def test_exclusions_are_masked(prefix: str, shown: str) -> None:
    assert mask_prefix(prefix) == shown
