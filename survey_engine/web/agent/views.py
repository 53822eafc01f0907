"""The agent console's routes: thin views that read the call (:mod:`.console`), check access
(:func:`survey_engine.web.access.allow`), call one desk operation and render or redirect."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers.response import Response

from dialer.db import transaction
from dialer.dialing_switch import dialing_state
from dialer.errors import DialerError
from dialer.models import Agent, Role, utc_now
from dialer.outcomes import CallEnding
from dialer.windows import WindowError, from_local, local_time
from dialer.work_record import period_starts, work_summary
from survey_engine.web.access import allow, attempt_of_agent
from survey_engine.web.agent import bp
from survey_engine.web.agent.answer_form import answer_form, submitted_answer
from survey_engine.web.agent.console import CallView, Stage, call_view, open_call
from survey_engine.web.agent.forms import (
    BackForm,
    BeginForm,
    DialForm,
    EndCallForm,
    PauseForm,
    ReadyForm,
)
from survey_engine.web.agent.labels import language_choices, outcome_label
from survey_engine.web.principal import Principal, current_principal
from survey_engine.web.services import services

AGENT = Role.AGENT


def _me() -> Principal:
    principal = current_principal()
    assert principal is not None and principal.agent_id is not None
    return principal


@bp.get("/")
@allow(AGENT)
def console() -> Response | str:
    """Ready or paused, the agent's own figures; the call in progress, if any."""
    me, now = _me(), utc_now()
    with transaction(services().engine) as session:
        attempt_id = open_call(session, me.agent_id or 0, now)
        if attempt_id is not None:
            return redirect(url_for("agent.call", attempt_id=attempt_id))
        agent = session.get(Agent, me.agent_id)
        assert agent is not None
        ready = agent.ready_since is not None
        switch = dialing_state(session)
        periods = period_starts(now, me.time_zone)
        figures = {name: work_summary(session, agent.id, since, now)
                   for name, since in periods.items()}
    return render_template("agent/console.html", ready=ready, stopped=switch.stopped,
                           figures=figures, ready_form=ReadyForm(), pause_form=PauseForm(),
                           now=now)


@bp.post("/ready")
@allow(AGENT)
def ready() -> Response:
    """Wait for a call; one is given at once when there is one."""
    return _wait_for_call(_me())


def _wait_for_call(me: Principal) -> Response:
    work = services()
    work.dispatcher.mark_ready(me.agent_id or 0)
    try:
        work.dialing.serve_agent(me.agent_id or 0)
    except DialerError as error:
        if error.code != "off_shift":
            raise
        work.dispatcher.mark_away(me.agent_id or 0)
        flash(_("You are not on shift now."), "warning")
    return redirect(url_for("agent.console"))


@bp.post("/pause")
@allow(AGENT)
def pause() -> Response:
    """Stop waiting for calls."""
    services().dispatcher.mark_away(_me().agent_id or 0)
    return redirect(url_for("agent.console"))


def _view(attempt_id: int) -> CallView:
    with transaction(services().engine) as session:
        return call_view(session, attempt_id, utc_now())


@bp.get("/calls/<int:attempt_id>")
@allow(AGENT, owns=attempt_of_agent)
def call(attempt_id: int) -> tuple[str, int]:
    """The call as it stands: the case, the ringing, the interview, or its end."""
    return _render_call(_view(attempt_id))


def _render_call(view: CallView, *, answer: Any = None, refusal: str | None = None,
                 end_form: EndCallForm | None = None, status: int = 200,
                 proposal: dict[str, str] | None = None) -> tuple[str, int]:
    context: dict[str, Any] = {"view": view, "stage": view.stage.value, "now": utc_now()}
    if view.stage in (Stage.CONNECTED, Stage.INTERVIEW, Stage.WRAP_UP):
        context["end_form"] = end_form or _end_form(view)
    if view.stage is Stage.PREVIEW:
        context["dial_form"] = DialForm()
    elif view.stage is Stage.CONNECTED:
        context["begin_form"] = BeginForm()
    elif view.stage in (Stage.INTERVIEW, Stage.WRAP_UP):
        turn, script = services().interviews.reading(view.attempt_id)
        context.update(turn=turn, script=script, back_form=BackForm(), refusal=refusal)
        if turn.prompt is not None:
            context["answer_form"] = answer or answer_form(turn.prompt, view.language)
    elif view.stage is Stage.ENDED:
        context["outcome"] = outcome_label(view.ending, view.disposition)
    context["proposal"] = proposal
    return render_template("agent/call.html", **context), status


def _end_form(view: CallView, formdata: Any = None) -> EndCallForm:
    form = EndCallForm(formdata=formdata) if formdata is not None else EndCallForm()
    form.spoken_language.choices = language_choices(view.campaign_languages, view.language)
    if view.interview_outcome is not None:
        form.decided.data = view.interview_outcome
    return form


@bp.post("/calls/<int:attempt_id>/dial")
@allow(AGENT, owns=attempt_of_agent)
def dial(attempt_id: int) -> Response:
    """Place the previewed call (by attempt id: the dialer resolves the number)."""
    if _view(attempt_id).stage is Stage.PREVIEW:
        services().dialing.dial(attempt_id, _me().agent_id or 0)
    return redirect(url_for("agent.call", attempt_id=attempt_id))


@bp.post("/calls/<int:attempt_id>/begin")
@allow(AGENT, owns=attempt_of_agent)
def begin(attempt_id: int) -> Response:
    """Start the interview, or resume it where it stopped."""
    if _view(attempt_id).stage is Stage.CONNECTED:
        services().interviews.begin(attempt_id)
    return redirect(url_for("agent.call", attempt_id=attempt_id))


@bp.post("/calls/<int:attempt_id>/answer")
@allow(AGENT, owns=attempt_of_agent)
def answer(attempt_id: int) -> Response | Any:
    """Give the current question's answer; a refused answer is shown with its reason."""
    view = _view(attempt_id)
    if view.stage is not Stage.INTERVIEW:
        return redirect(url_for("agent.call", attempt_id=attempt_id))
    turn, _script = services().interviews.reading(attempt_id)
    if turn.prompt is None:
        return redirect(url_for("agent.call", attempt_id=attempt_id))
    form = answer_form(turn.prompt, view.language, formdata=request.form)
    given = submitted_answer(form, turn.prompt)
    if request.form.get("question") != turn.prompt.question_id:
        flash(_("The question had changed: nothing was recorded. Please answer again."),
              "warning")
        return redirect(url_for("agent.call", attempt_id=attempt_id))
    if isinstance(given, str):
        result = services().interviews.answer(attempt_id, given, typed=True)
    else:
        result = services().interviews.answer(attempt_id, given)
    if not result.accepted:
        return _render_call(view, answer=form, refusal=result.message, status=422)
    return redirect(url_for("agent.call", attempt_id=attempt_id))


@bp.post("/calls/<int:attempt_id>/back")
@allow(AGENT, owns=attempt_of_agent)
def back(attempt_id: int) -> Response:
    """Go back one question (its answer is withdrawn, and traced)."""
    if _view(attempt_id).stage in (Stage.INTERVIEW, Stage.WRAP_UP):
        try:
            services().interviews.back(attempt_id)
        except DialerError as error:
            if error.code != "no_previous":
                raise
            flash(_("This is the first question."), "info")
    return redirect(url_for("agent.call", attempt_id=attempt_id))


@bp.post("/calls/<int:attempt_id>/end")
@allow(AGENT, owns=attempt_of_agent)
def end(attempt_id: int) -> Response | Any:
    """End the call with its outcome; then wait for the next call, or pause."""
    view = _view(attempt_id)
    if view.stage not in (Stage.CONNECTED, Stage.INTERVIEW, Stage.WRAP_UP):
        return redirect(url_for("agent.call", attempt_id=attempt_id))
    form = _end_form(view, formdata=request.form)
    if not form.validate():
        return _render_call(view, end_form=form, status=422)
    ending, details, problem = _ending(view, form)
    if problem is not None:
        form.outcome.errors = [problem]
        return _render_call(view, end_form=form, status=422)
    assert ending is not None
    work = services()
    try:
        decision = work.desk.end(attempt_id, ending, **details)
    except DialerError as error:
        if error.code != "appointment_outside_window":
            raise
        proposal = _proposal(view, details["appointment_at"])
        form.outcome.errors = [error.message]
        return _render_call(view, end_form=form, status=422, proposal=proposal)
    flash(_("Call ended: %(outcome)s.", outcome=outcome_label(ending.value, decision.code)),
          "info")
    if not form.pause.data:
        return _wait_for_call(_me())
    work.dispatcher.mark_away(_me().agent_id or 0)
    return redirect(url_for("agent.console"))


def _ending(view: CallView, form: EndCallForm
            ) -> tuple[CallEnding | None, dict[str, Any], str | None]:
    """The ending the form asks for, its details, or what is missing."""
    chosen = form.decided.data or form.outcome.data or ""
    try:
        ending = CallEnding(chosen)
    except ValueError:
        return None, {}, _("Choose how the call ended.")
    details: dict[str, Any] = {}
    if ending is CallEnding.APPOINTMENT:
        if not form.appointment_date.data or not form.appointment_time.data:
            return None, {}, _("Give the date and time the respondent asked for.")
        try:
            wall = dt.datetime.strptime(f"{form.appointment_date.data} "
                                        f"{form.appointment_time.data}", "%Y-%m-%d %H:%M")
            details["appointment_at"] = from_local(wall, view.time_zone)
        except ValueError as error:
            return None, {}, str(error) if isinstance(error, WindowError) else \
                _("This is not a date and time (YYYY-MM-DD and HH:MM).")
        details["promise"] = bool(form.promise.data)
    if ending is CallEnding.LANGUAGE_PROBLEM:
        if not form.spoken_language.data:
            return None, {}, _("Choose the language the respondent speaks.")
        details["spoken_language"] = form.spoken_language.data
    return ending, details, None


def _proposal(view: CallView, wished: dt.datetime) -> dict[str, str] | None:
    """The nearest time within the respondent's calling hours, on both clocks."""
    slot = services().desk.nearest_appointment(view.attempt_id, wished)
    if slot is None:
        return None
    there = local_time(slot, view.time_zone)
    here = local_time(slot, _me().time_zone)
    return {"date": f"{there:%Y-%m-%d}", "time": f"{there:%H:%M}",
            "theirs": f"{there:%Y-%m-%d %H:%M}", "mine": f"{here:%Y-%m-%d %H:%M}"}

