"""Walk a questionnaire for one respondent.

Given a questionnaire, its wording in the interview language, a contact and the answers so
far, the engine says which question comes next (as read aloud), accepts or refuses an
answer with a message in the interview language, goes back one question, and reports
progress and the outcome. It touches no database and no clock; its whole state is an
:class:`~survey_engine.interview.state.InterviewState` that round-trips through JSON.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from survey_engine.errors import InterviewError
from survey_engine.expressions import Special
from survey_engine.expressions.ast import SPECIALS, special
from survey_engine.i18n.catalog import Wording
from survey_engine.i18n.languages import locale_of
from survey_engine.i18n.messages import translations
from survey_engine.interview.state import InterviewState
from survey_engine.interview.voice import Voice
from survey_engine.questionnaire.contact import ContactValueError, normalize_contact
from survey_engine.questionnaire.model import Question, Questionnaire
from survey_engine.questionnaire.schema import Outcome
from survey_engine.questionnaire.types import AnswerContext, AnswerRefused

COMPLETE: Outcome = "complete"
QUOTA_FULL: Outcome = "quota_full"


@dataclass(frozen=True)
class ShownOption:
    code: int
    label: str
    exclusive: bool = False
    specify: bool = False


@dataclass(frozen=True)
class Prompt:
    """The question being asked, as the agent reads it to the respondent."""

    question_id: str
    type: str
    text: str
    options: tuple[ShownOption, ...]
    allow: tuple[str, ...]
    number: int


@dataclass(frozen=True)
class Step:
    """What became of an answer: accepted, or refused with a message to read out."""

    accepted: bool
    message: str | None = None


@dataclass(frozen=True)
class Progress:
    """How far the interview is: questions answered, and at most how many may remain."""

    answered: int
    remaining: int

    @property
    def percent(self) -> int:
        total = self.answered + self.remaining
        return 100 if total == 0 else round(100 * self.answered / total)


class Interview:
    """One respondent's interview. Create with :meth:`start` or :meth:`resume`."""

    def __init__(self, questionnaire: Questionnaire, wording: Wording,
                 state: InterviewState) -> None:
        """Use :meth:`start` or :meth:`resume`; ``state`` is a fresh one."""
        self.questionnaire = questionnaire
        self.state = state
        try:
            self.contact = normalize_contact(questionnaire.contact_fields, state.contact)
        except ContactValueError as error:
            raise InterviewError(f"contact: {error}", code="bad_contact") from None
        gettext = translations(state.language)
        self.context = AnswerContext(gettext.gettext, gettext.ngettext, state.language,
                                     locale_of(state.language), self._label,
                                     questionnaire.contact_fields, self.contact)
        self.voice = Voice(questionnaire, wording, self.context)
        self._values: dict[str, Any] = {}

    # --- creation -----------------------------------------------------------------------
    @classmethod
    def start(cls, questionnaire: Questionnaire, wording: Wording,
              contact: Mapping[str, Any], *, seed: str,
              quota_counts: Mapping[str, int] | None = None) -> Interview:
        """Begin an interview; the first question shown is already chosen (or the interview
        has already ended, when a full quota's condition holds from the contact alone).

        :param seed: makes option shuffling reproducible for this respondent.
        :param quota_counts: completes already counted per quota of the questionnaire.
        :raises InterviewError: if the contact does not fit the declared fields, or the
            counts name unknown quotas or are not whole numbers from 0.
        """
        if not isinstance(contact, Mapping):
            raise InterviewError("contact: expected a mapping of contact fields",
                                 code="bad_contact")
        counts = _checked_counts(questionnaire, quota_counts or {})
        state = InterviewState(questionnaire.slug, questionnaire.version, wording.language,
                               seed, dict(contact), counts, catalog_sha256=wording.sha256)
        interview = cls(questionnaire, wording, state)
        if not interview._quota_full():
            interview._advance_from(-1)
        return interview

    @classmethod
    def resume(cls, questionnaire: Questionnaire, wording: Wording, state_json: str
               ) -> Interview:
        """Continue an interview from :meth:`to_json` output.

        The state is not trusted: the interview is started again from its contact and every
        stored answer given again, in order, through the same checks as the first time. A
        state that this questionnaire and wording could not have produced (an answer it
        would refuse, a skipped question, another catalog, a different outcome) is refused.

        :raises InterviewError: ``bad_state`` (or ``wrong_questionnaire``,
            ``wrong_language``, ``catalog_changed``) saying what does not fit.
        """
        saved = InterviewState.from_json(state_json)
        if (saved.questionnaire, saved.version) != (questionnaire.slug, questionnaire.version):
            raise InterviewError(f"this state belongs to {saved.questionnaire} version "
                                 f"{saved.version}, not {questionnaire.slug} version "
                                 f"{questionnaire.version}", code="wrong_questionnaire")
        if saved.language != wording.language:
            raise InterviewError(f"the interview is in {saved.language!r}, the wording in "
                                 f"{wording.language!r}", code="wrong_language")
        if saved.catalog_sha256 != wording.sha256:
            raise InterviewError(f"the {saved.language} catalog has changed since this "
                                 "interview began; it is pinned to the catalog it was asked "
                                 "with", code="catalog_changed")
        interview = cls.start(questionnaire, wording, saved.contact, seed=saved.seed,
                              quota_counts=saved.quota_counts)
        interview._replay(saved)
        return interview

    def to_json(self) -> str:
        return self.state.to_json()

    # --- reading ------------------------------------------------------------------------
    @property
    def outcome(self) -> str | None:
        """None while running; then complete, refusal, screened_out or quota_full."""
        return self.state.outcome

    @property
    def path(self) -> list[str]:
        """Questions asked so far, in order, including the one being asked."""
        current = [self.state.current] if self.state.current else []
        return [*self.state.history, *current]

    @property
    def answers(self) -> dict[str, Any]:
        """Stored answers by question id (JSON-ready)."""
        return dict(self.state.answers)

    def intro(self, unanswered: Callable[[str], str] | None = None) -> str:
        """The intro as read aloud (``unanswered``: see :meth:`preview`)."""
        return self.voice.render("intro", self.state.answers, self.contact, unanswered)

    def closing(self, unanswered: Callable[[str], str] | None = None) -> str:
        """The closing as read aloud (``unanswered``: see :meth:`preview`)."""
        return self.voice.render("closing", self.state.answers, self.contact, unanswered)

    def text_of(self, question_id: str) -> str:
        """The text of a question as read aloud now, with piped values filled in."""
        return self.voice.render(f"{question_id}/text", self.state.answers, self.contact)

    def current(self) -> Prompt | None:
        """The question to ask now, or None when the interview has ended."""
        if self.state.current is None:
            return None
        question = self.questionnaire.question(self.state.current)
        return self._prompt(question, self.state.orders.get(question.id, ()),
                            len(self.state.history) + 1)

    def preview(self, question_id: str, unanswered: Callable[[str], str]) -> Prompt:
        """A question as it would be read to this respondent, whether or not the answers so
        far lead to it: for an author's preview. Its number is its place in the file, its
        options are in this respondent's order, and each placeholder of a question not
        answered reads as ``unanswered`` gives it (a visible marker, say)."""
        question = self.questionnaire.question(question_id)
        order = self._order(question) if question.options else []
        return self._prompt(question, order, self.questionnaire.position(question_id) + 1,
                            unanswered)

    def _prompt(self, question: Question, order: Iterable[int], number: int,
                unanswered: Callable[[str], str] | None = None) -> Prompt:
        shown = (question.option(code) for code in order)
        options = tuple(ShownOption(option.code,
                                    self._rendered_label(question, option.code, unanswered),
                                    option.exclusive, option.specify)
                        for option in shown if option is not None)
        text = self.voice.render(f"{question.id}/text", self.state.answers, self.contact,
                                 unanswered)
        return Prompt(question.id, question.type_name, text, options,
                      tuple(sorted(question.allow)), number)

    def prompt_of(self, question_id: str) -> Prompt:
        """A question of the path as this respondent was asked it: its text with the values
        piped in now, its options in the order they were shown (for quality review).

        :raises InterviewError: ``not_asked`` for a question not on the path.
        """
        if question_id not in self.path:
            raise InterviewError(f"{question_id!r} was not asked in this interview",
                                 code="not_asked")
        question = self.questionnaire.question(question_id)
        return self._prompt(question, self.state.orders.get(question.id, ()),
                            self.path.index(question_id) + 1)

    def progress(self) -> Progress:
        """Answered questions and an upper bound on those still to come."""
        if self.state.current is None:
            return Progress(len(self.state.history), 0)
        start = self.questionnaire.position(self.state.current)
        remaining = sum(1 for q in self.questionnaire.questions[start:]
                        if q.show_if is None or q.id == self.state.current
                        or q.show_if.holds(self._values, self.contact)
                        or bool(q.show_if.names - set(self._values)))
        return Progress(len(self.state.history), remaining)

    # --- acting -------------------------------------------------------------------------
    def answer(self, value: Any) -> Step:
        """Give an answer to the current question.

        ``value`` is the typed answer (a code, a list of codes, a number, text, a date,
        True/False, ``{"confirmed": True}``...), a :class:`Special` for don't know/refused, or
        None for an info question.

        :raises InterviewError: if the interview has already ended.
        """
        question = self._current_question()
        try:
            stored = self._validate(question, value)
        except AnswerRefused as refusal:
            return Step(False, refusal.message)
        if question.takes_answer:
            self.state.answers[question.id] = stored
            self._remember(question, stored)
        self.state.history.append(question.id)
        self.state.current = None
        self._after_answer(question)
        return Step(True)

    def checked(self, question_id: str, value: Any, *, typed: bool = False) -> Any:
        """``value`` in its stored form, checked as an answer to ``question_id`` exactly as it
        would be during the call (a quality-control correction); nothing changes.

        :param typed: ``value`` is text typed at a keyboard, read the interview language's
            way (see :meth:`answer_text`).
        :raises AnswerRefused: with the reason, in the interview language.
        """
        question = self.questionnaire.question(question_id)
        if typed and not isinstance(value, Special):
            value = question.type.parse_text(question, value, self.context)
        return self._validate(question, value)

    def answer_text(self, text: str) -> Step:
        """Give an answer typed at a keyboard ("2,5", "1 3", "2024-03-01"), read the local way."""
        question = self._current_question()
        return self.answer(question.type.parse_text(question, text, self.context))

    def back(self) -> Prompt:
        """Go back one question: its answer is withdrawn and it is asked again. The question
        left behind is no longer shown, so its order of options is no longer part of the
        state (it comes out the same from the seed if the question is reached again).

        :raises InterviewError: when at the first question.
        """
        if not self.state.history:
            raise InterviewError("already at the first question", code="no_previous")
        left = self.state.current
        if left is not None:  # no longer shown: its order is drawn again if it comes back
            self.state.orders.pop(left, None)
        previous = self.state.history.pop()
        self.state.answers.pop(previous, None)
        self._values.pop(previous, None)
        self.state.current = previous
        self.state.outcome = None
        prompt = self.current()
        assert prompt is not None
        return prompt

    # --- internals ----------------------------------------------------------------------
    def _current_question(self) -> Question:
        if self.state.current is None:
            raise InterviewError(f"the interview has ended ({self.state.outcome})",
                                 code="interview_ended")
        return self.questionnaire.question(self.state.current)

    def _validate(self, question: Question, value: Any) -> Any:
        if isinstance(value, Special):
            if not question.takes_answer or value.name not in question.allow:
                message = self.context.gettext("“Don't know” is not accepted for this question.") \
                    if value.name == "dont_know" else \
                    self.context.gettext("A refusal is not accepted for this question.")
                raise AnswerRefused(message)
            return {"special": value.name}
        return question.type.validate(question, value, self.context)

    def _remember(self, question: Question, stored: Any) -> None:
        if isinstance(stored, dict) and "special" in stored:
            self._values[question.id] = special(stored["special"])
        else:
            self._values[question.id] = question.type.value_of(question, stored, self.context)

    def _after_answer(self, question: Question) -> None:
        if question.end_if is not None and question.end_if.holds(self._values, self.contact):
            self.state.outcome = question.end_outcome
            return
        if not self._quota_full():
            self._advance_from(self.questionnaire.position(question.id))

    def _quota_full(self) -> bool:
        """End the interview as quota_full if a full quota's condition holds now."""
        for quota in self.questionnaire.quotas:
            count = self.state.quota_counts.get(quota.id, 0)
            if count >= quota.max_completes and quota.when.holds(self._values, self.contact):
                self.state.outcome = QUOTA_FULL
                return True
        return False

    def _replay(self, saved: InterviewState) -> None:
        """Give the saved answers again, in order; refuse a state they do not reproduce."""
        for position, ident in enumerate(saved.history):
            if self.state.current != ident:
                expected = self.state.current or f"the end ({self.state.outcome})"
                raise _bad_state(f"history[{position}]: {ident!r} is not what comes next "
                                 f"after the answers before it ({expected})")
            question = self.questionnaire.question(ident)
            if question.takes_answer and ident not in saved.answers:
                raise _bad_state(f"history[{position}]: {ident!r} has no stored answer")
            stored = saved.answers.get(ident)
            step = self.answer(self._answer_of(question, stored))
            if not step.accepted or self.state.answers.get(ident) != stored:
                raise _bad_state(f"answers.{ident}: {stored!r} is not an answer this question "
                                 f"takes ({step.message or 'stored in another form'})")
        extra = sorted(set(saved.answers) - set(self.state.answers))
        if extra:
            raise _bad_state(f"answers: {', '.join(extra)} answered but not in the history")
        if (saved.current, saved.outcome) != (self.state.current, self.state.outcome):
            raise _bad_state(f"after these answers the interview is at "
                             f"{self.state.current or self.state.outcome}, not at "
                             f"{saved.current or saved.outcome}")
        # Only the questions on the path count: a state written before going back dropped
        # the order of the question it left could still hold it; it is not kept.
        shown = {ident: order for ident, order in saved.orders.items() if ident in self.path}
        if shown != self.state.orders:
            raise _bad_state("orders: the options were not shown in the order this "
                             "respondent's seed gives")

    def _answer_of(self, question: Question, stored: Any) -> Any:
        """A stored answer as an answer to give again."""
        if isinstance(stored, dict) and set(stored) == {"special"} and \
                stored["special"] in SPECIALS:
            return SPECIALS[stored["special"]]
        return question.type.from_stored(question, stored)

    def _advance_from(self, index: int) -> None:
        for question in self.questionnaire.questions[index + 1:]:
            if question.show_if is None or question.show_if.holds(self._values, self.contact):
                self.state.current = question.id
                if question.options:
                    self.state.orders.setdefault(question.id, self._order(question))
                return
        self.state.outcome = COMPLETE

    def _order(self, question: Question) -> list[int]:
        """Option codes in the order shown: shuffled per respondent if ``randomize``, with
        ``fixed`` options kept in their place."""
        codes = [option.code for option in question.options]
        if not getattr(question.spec, "randomize", False):
            return codes
        movable = [o.code for o in question.options if not o.fixed]
        random.Random(f"{self.state.seed}/{question.id}").shuffle(movable)
        shuffled = iter(movable)
        return [o.code if o.fixed else next(shuffled) for o in question.options]

    def _label(self, question: Question, code: int) -> str:
        return self._rendered_label(question, code)

    def _rendered_label(self, question: Question, code: int,
                        unanswered: Callable[[str], str] | None = None) -> str:
        return self.voice.render(f"{question.id}/options/{code}", self.state.answers,
                                 self.contact, unanswered)


def _bad_state(message: str) -> InterviewError:
    return InterviewError(f"this interview state cannot be resumed: {message}",
                          code="bad_state")


def _checked_counts(questionnaire: Questionnaire, counts: Mapping[str, Any]
                    ) -> dict[str, int]:
    """Quota counts as the interview keeps them, refused when they name no quota of the
    questionnaire or are not whole numbers from 0."""
    if not isinstance(counts, Mapping):
        raise InterviewError("quota_counts: expected a mapping of quota ids to counts",
                             code="bad_quota_counts")
    known = {quota.id for quota in questionnaire.quotas}
    for name, count in counts.items():
        if name not in known:
            raise InterviewError(f"quota_counts: {questionnaire.slug} has no quota {name!r} "
                                 f"(quotas: {', '.join(sorted(known)) or 'none'})",
                                 code="bad_quota_counts")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise InterviewError(f"quota_counts: {name}: {count!r} is not a count",
                                 code="bad_quota_counts")
    return dict(counts)
