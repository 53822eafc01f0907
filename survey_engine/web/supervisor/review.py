"""Quality review: the site's interviews, one interview with its answers and the whole trace
of its contact (each event checked where it stands in the chain), and corrections.

A correction is a new row and a new ``answer_corrected`` event with who, why and the value it
replaces (:meth:`dialer.interviews.InterviewDesk.correct`); nothing is overwritten. The value
is given with the question's own answer form, in the interview's language as it was read out,
and checked as it was during the call.
"""

from __future__ import annotations

import json
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers.response import Response

from dialer.db import transaction
from dialer.errors import DialerError, NotFound
from dialer.interview_review import PAGE, QuestionReview, site_interviews
from survey_engine.expressions import Special
from survey_engine.web.access import allow, interview_of_site
from survey_engine.web.agent.answer_form import answer_form, submitted_answer
from survey_engine.web.services import services
from survey_engine.web.supervisor import STAFF, bp
from survey_engine.web.supervisor.desk import me, reviews, site_scope
from survey_engine.web.supervisor.forms import CorrectionForm
from survey_engine.web.supervisor.labels import (
    ANSWER_KINDS,
    answer_text,
    outcome_words,
)


@bp.app_template_global()
def trace_value(value: Any) -> str:
    """A value of an event's data as JSON, its letters as written (autoescaped in the page)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@bp.get("/interviews")
@allow(*STAFF)
def interviews() -> Any:
    """The interviews of the site's agents, latest activity first, a page at a time."""
    page = request.args.get("page", 0, type=int) or 0
    with transaction(services().engine) as session:
        lines = site_interviews(session, site_scope(me()), max(page, 0))
    return render_template("supervisor/interviews.html", lines=lines, page=max(page, 0),
                           more=len(lines) == PAGE, outcome_words=outcome_words)


def _render(interview_id: int, *, question: str | None = None, value_form: Any = None,
            form: CorrectionForm | None = None, refusal: str | None = None,
            status: int = 200) -> Any:
    whole = request.args.get("chain") == "whole"
    review = reviews().review(interview_id, whole_chain=whole)
    chosen = _chosen(review.questions, question or request.args.get("question"))
    context: dict[str, Any] = {
        "review": review, "chosen": chosen, "answer_text": answer_text,
        "kinds": ANSWER_KINDS, "outcome_words": outcome_words, "whole": whole,
        "refusal": refusal, "form": form}
    if chosen is not None:
        context["value_form"] = value_form or _prefilled(
            answer_form(chosen.prompt, review.line.language), chosen)
        context["form"] = form or CorrectionForm(question=chosen.prompt.question_id)
    return render_template("supervisor/interview.html", **context), status


def _prefilled(form: Any, chosen: QuestionReview) -> Any:
    """The answer form showing the answer that stands, so a correction changes only what it
    must: options ticked, yes or no. Typed answers are typed again
    (numbers and dates the interview language's way); a text or an option's details are
    never put back in a field, since a number dictated in them would show whole there."""
    value, kind = chosen.value, chosen.prompt.type
    if "answer" not in form or value is None or (isinstance(value, dict)
                                                 and "special" in value):
        return form
    items = value if isinstance(value, list) else [value]
    codes = [str(item["code"]) if isinstance(item, dict) and "code" in item else str(item)
             for item in items]
    if kind == "multi_choice":
        form.answer.data = codes
    elif kind in ("single_choice", "scale", "nps"):
        form.answer.data = codes[0]
    elif kind == "yes_no":
        form.answer.data = "1" if value else "2"
    return form


def _chosen(questions: tuple[QuestionReview, ...], question_id: str | None
            ) -> QuestionReview | None:
    """The answered question the supervisor picked to correct, if any."""
    return next((item for item in questions
                 if item.prompt.question_id == question_id and item.answered), None)


@bp.get("/interviews/<int:interview_id>")
@allow(*STAFF, owns=interview_of_site)
def interview(interview_id: int) -> Any:
    """The interview with its answers and trace; ``?question=ID`` opens the correction of an
    answered question; ``?chain=whole`` also verifies the campaign's whole chain."""
    return _render(interview_id)


@bp.post("/interviews/<int:interview_id>/corrections")
@allow(*STAFF, owns=interview_of_site)
def correction(interview_id: int) -> Response | Any:
    """Correct one answered question, with a reason."""
    form = CorrectionForm()
    question = form.question.data or ""
    try:
        prompt, language = reviews().prompt(interview_id, question)
    except NotFound:
        form.form_errors.append(_("Choose a question of this interview to correct."))
        return _render(interview_id, form=form, status=422)
    value_form = answer_form(prompt, language, formdata=request.form)
    if not form.validate():
        return _render(interview_id, question=question, value_form=value_form, form=form,
                       status=422)
    given = submitted_answer(value_form, prompt)
    try:
        services().interviews.correct(interview_id, question, given, me().actor,
                                      form.reason.data or "",
                                      typed=not isinstance(given, Special))
    except DialerError as error:
        if error.code not in ("answer_refused", "not_answered"):
            raise
        refusal = error.message.split(": ", 1)[-1]  # in the interview's language
        return _render(interview_id, question=question, value_form=value_form, form=form,
                       refusal=refusal, status=422)
    flash(_("The correction is recorded, and traced."), "info")
    return redirect(url_for("supervisor.interview", interview_id=interview_id))
