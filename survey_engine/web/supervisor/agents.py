"""Managing an agent of the site: languages with their levels, skills, weekly shifts (site
time) and exclusions. A supervisor manages their own site's agents only (another site's
agent, like one that does not exist, is 404); an administrator every site's.

Exclusions are only added here, and shown masked: an exclusion keeps the agent from a victim's
or a relative's number, and the desk never needs the number again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers.response import Response

from dialer.agent_settings import (
    add_shift,
    exclude,
    exclusions_of,
    remove_shift,
    set_languages,
    set_skills,
)
from dialer.centre_schema import END_OF_DAY
from dialer.db import transaction
from dialer.errors import DialerError, NotFound
from dialer.models import Agent, Campaign, Site
from survey_engine.i18n.languages import LANGUAGES
from survey_engine.web.access import agent_of_site, allow
from survey_engine.web.agent.labels import language_name, weekday_name
from survey_engine.web.services import services
from survey_engine.web.supervisor import STAFF, bp
from survey_engine.web.supervisor.desk import me
from survey_engine.web.supervisor.forms import (
    ExclusionForm,
    RemoveShiftForm,
    ShiftForm,
    SkillsForm,
    chosen_levels,
    languages_form,
    skill_list,
    weekday_choices,
)

#: The refusals of agent changes a supervisor can mend, in their language.
REFUSALS = {
    "no_language": lambda: _("An agent speaks at least one language."),
    "shift": lambda: _("This shift is not possible: it must not be empty, and no other shift "
                       "of the agent may start on the same day at the same time."),
    "prefix": lambda: _("This is not a number or prefix in international form (+ and the "
                        "country code, without the national 0)."),
    "bad_exclusion": lambda: _("Say why the agent is kept from this number."),
}


def _language_codes(session: Any, agent: Agent) -> list[tuple[str, str]]:
    """The languages offered on the form: the product's, the campaigns', the agent's."""
    codes = set(LANGUAGES) | {spoken.language for spoken in agent.languages}
    for languages in session.scalars(select(Campaign.languages)):
        codes.update(languages)
    return sorted(((code, language_name(code)) for code in codes), key=lambda item: item[1])


def _clock(value: dt.time) -> str:
    return "24:00" if value == END_OF_DAY else f"{value:%H:%M}"


def _render(agent_id: int, status: int = 200, **forms: Any) -> Any:
    with transaction(services().engine) as session:
        agent = session.get(Agent, agent_id)
        assert agent is not None  # agent_of_site found it
        skills = sorted(skill.skill for skill in agent.skills)
        site = session.get(Site, agent.site_id)
        assert site is not None
        codes = _language_codes(session, agent)
        levels = {spoken.language: spoken.level.value for spoken in agent.languages}
        card = {
            "id": agent.id, "code": agent.code, "site": site.code, "time_zone": site.time_zone,
            "interface_language": language_name(agent.interface_language),
            "active": agent.active,
            "skills": skills,
            "shifts": sorted((shift.weekday, _clock(shift.start), _clock(shift.end), shift.id)
                             for shift in agent.shifts),
            "exclusions": exclusions_of(session, agent.id)}
    shift_form = forms.get("shift_form") or ShiftForm()
    shift_form.weekday.choices = weekday_choices(weekday_name)
    context = {
        "card": card, "shift_form": shift_form,
        "languages_form": forms.get("languages_form") or languages_form(codes, levels),
        "skills_form": forms.get("skills_form") or SkillsForm(
            skills=" ".join(skills)),
        "remove_form": RemoveShiftForm(),
        "exclusion_form": forms.get("exclusion_form") or ExclusionForm(),
        "language_codes": codes}
    return render_template("supervisor/agent.html", **context), status


def _refused(form: Any, field: str, error: DialerError) -> None:
    message = REFUSALS.get(error.code)
    if message is None:
        raise error
    form[field].errors = [*form[field].errors, message()] if field in form else [message()]


@bp.get("/agents/<int:agent_id>")
@allow(*STAFF, owns=agent_of_site)
def agent(agent_id: int) -> Any:
    """One agent of the site, with the forms that change them."""
    return _render(agent_id)


def _change(agent_id: int, change: Any) -> None:
    """Run ``change(session, agent)`` in one transaction."""
    with transaction(services().writer) as session:
        found = session.get(Agent, agent_id)
        assert found is not None
        change(session, found)
    services().dispatcher.forget_roster()


def _done(agent_id: int, message: str) -> Response:
    flash(message, "info")
    return redirect(url_for("supervisor.agent", agent_id=agent_id))


@bp.post("/agents/<int:agent_id>/languages")
@allow(*STAFF, owns=agent_of_site)
def agent_languages(agent_id: int) -> Any:
    """The languages the agent speaks, each at its level."""
    with transaction(services().engine) as session:
        agent = session.get(Agent, agent_id)
        assert agent is not None
        codes = _language_codes(session, agent)
    form = languages_form(codes, {}, formdata=request.form)
    if not form.validate():
        return _render(agent_id, 422, languages_form=form)
    levels = chosen_levels(form, codes)
    try:
        _change(agent_id, lambda session, found: set_languages(session, found, levels,
                                                               me().actor))
    except DialerError as error:
        _refused(form, "save", error)
        return _render(agent_id, 422, languages_form=form)
    return _done(agent_id, _("The languages are saved."))


@bp.post("/agents/<int:agent_id>/skills")
@allow(*STAFF, owns=agent_of_site)
def agent_skills(agent_id: int) -> Any:
    """The agent's skills (``refusal_conversion``: converts soft refusals)."""
    form = SkillsForm()
    if not form.validate():
        return _render(agent_id, 422, skills_form=form)
    skills = skill_list(form.skills.data)
    _change(agent_id, lambda session, found: set_skills(session, found, skills, me().actor))
    return _done(agent_id, _("The skills are saved."))


def _time(text: str) -> dt.time:
    return END_OF_DAY if text == "24:00" else dt.time.fromisoformat(text.zfill(5))


@bp.post("/agents/<int:agent_id>/shifts")
@allow(*STAFF, owns=agent_of_site)
def agent_shift(agent_id: int) -> Any:
    """Add a weekly shift, in the site's time."""
    form = ShiftForm()
    form.weekday.choices = weekday_choices(weekday_name)
    if not form.validate():
        return _render(agent_id, 422, shift_form=form)
    start, end = form.start.data or "", form.end.data or ""
    if start == "24:00":
        form.start.errors = [_("A shift starts at 23:59 at the latest.")]
        return _render(agent_id, 422, shift_form=form)
    try:
        _change(agent_id, lambda session, found: add_shift(
            session, found, int(form.weekday.data), _time(start), _time(end), me().actor))
    except DialerError as error:
        _refused(form, "add", error)
        return _render(agent_id, 422, shift_form=form)
    return _done(agent_id, _("The shift is added."))


@bp.post("/agents/<int:agent_id>/shifts/remove")
@allow(*STAFF, owns=agent_of_site)
def agent_shift_remove(agent_id: int) -> Any:
    """Remove one of the agent's shifts (a shift of another agent is 404)."""
    form = RemoveShiftForm()
    if not form.validate():
        return _render(agent_id, 422)
    shift_id = int(form.shift.data or 0)
    try:
        _change(agent_id, lambda session, found: remove_shift(session, found, shift_id,
                                                              me().actor))
    except NotFound:
        abort(404)
    return _done(agent_id, _("The shift is removed."))


@bp.post("/agents/<int:agent_id>/exclusions")
@allow(*STAFF, owns=agent_of_site)
def agent_exclusion(agent_id: int) -> Any:
    """Keep the agent from a number, or from every number with a prefix. What was typed is
    never shown again, not even in an error."""
    form = ExclusionForm()
    valid = form.validate()
    typed = (form.number.data or "").strip()
    form.number.data, form.number.raw_data = "", []
    if not valid:
        return _render(agent_id, 422, exclusion_form=form)
    try:
        _change(agent_id, lambda session, found: exclude(
            session, found, typed, form.reason.data or "", me().actor))
    except DialerError as error:
        _refused(form, "number", error)
        return _render(agent_id, 422, exclusion_form=form)
    return _done(agent_id, _("The exclusion is added."))
