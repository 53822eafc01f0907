"""A questionnaire previewed in one of its languages as an agent will read it: the intro,
every question in file order with its answer form, and the closing, rendered by the
interview engine (:meth:`survey_engine.interview.engine.Interview.preview`) and shown by the
console's own template (``agent/question.html``) and answer forms
(:func:`survey_engine.web.agent.answer_form.answer_form`).

Contact fields are piped from a sample contact (drawn to fit each field's type and pattern,
as the simulator draws them; the author may change them). A placeholder of an earlier answer
reads as ``[question]``: which answer it pipes depends on the respondent.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from flask_wtf import FlaskForm

from dialer.simulation.answers import simulated_contact
from survey_engine.i18n.catalog import Wording
from survey_engine.interview.engine import Interview, Prompt
from survey_engine.questionnaire.model import Questionnaire
from survey_engine.web.agent.answer_form import answer_form

#: Seeds tried for a sample value of every contact field (optional ones are sometimes empty).
SAMPLE_SEEDS = 20
#: The respondent whose option order the preview shows.
PREVIEW_SEED = "preview"


def marker(name: str) -> str:
    """How the preview shows the answer a placeholder will pipe."""
    return f"[{name}]"


@dataclass(frozen=True)
class PreviewQuestion:
    """A question as read, its answer form, and the conditions around it (as written)."""

    prompt: Prompt
    form: FlaskForm
    show_if: str | None
    end_if: str | None
    randomized: bool


@dataclass(frozen=True)
class Preview:
    language: str
    intro: str
    closing: str
    questions: tuple[PreviewQuestion, ...]


def sample_contact(questionnaire: Questionnaire) -> dict[str, str]:
    """A value for every contact field, of its type and pattern."""
    sample: dict[str, str] = {}
    for seed in range(SAMPLE_SEEDS):
        drawn = simulated_contact(questionnaire, random.Random(seed))
        for name, value in drawn.items():
            if value != "" and name not in sample:
                sample[name] = str(value)
        if len(sample) == len(questionnaire.contact_fields):
            break
    return sample


def preview(questionnaire: Questionnaire, wording: Wording, contact: dict[str, Any]
            ) -> Preview:
    """Every text of the questionnaire in ``wording``'s language, piped from ``contact``.

    :raises InterviewError: ``bad_contact`` when a contact value does not fit its field.
    """
    interview = Interview.start(questionnaire, wording, contact, seed=PREVIEW_SEED)
    questions = []
    for question in questionnaire.questions:
        prompt = interview.preview(question.id, marker)
        questions.append(PreviewQuestion(
            prompt, answer_form(prompt, wording.language, prefix=question.id),
            getattr(question.spec, "show_if", None), getattr(question.spec, "end_if", None),
            bool(getattr(question.spec, "randomize", False))))
    return Preview(wording.language, interview.intro(marker), interview.closing(marker),
                   tuple(questions))
