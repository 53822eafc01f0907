"""Words the supervisor desk shows for codes, in the supervisor's language: agents' states,
campaign and contact states, AAPOR dispositions, why a dial was refused, answer rows, and
stored answers as they read."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from dialer.board import AgentState
from dialer.interview_review import mask_numbers
from dialer.models import AnswerKind, CampaignState, ContactState
from dialer.outcomes import DISPOSITIONS
from survey_engine.interview.engine import Prompt

AGENT_STATES = {
    AgentState.CONNECTED: _l("on a call"),
    AgentState.RINGING: _l("dialing"),
    AgentState.PREVIEW: _l("reading a case"),
    AgentState.WAITING: _l("waiting for a call"),
    AgentState.PAUSED: _l("paused"),
    AgentState.SIGNED_OUT: _l("on shift, not signed in"),
    AgentState.OFF_SHIFT: _l("off shift"),
    AgentState.INACTIVE: _l("inactive"),
}

CAMPAIGN_STATES = {
    CampaignState.DRAFT: _l("draft"),
    CampaignState.RUNNING: _l("running"),
    CampaignState.PAUSED: _l("paused"),
    CampaignState.FINISHED: _l("finished"),
}

CONTACT_STATES = {
    ContactState.WAITING: _l("waiting"),
    ContactState.DONE: _l("settled"),
    ContactState.QUOTA_FULL: _l("quota full"),
    ContactState.DO_NOT_CALL: _l("do not call"),
}

#: The AAPOR dispositions the dialer gives, in words (the rest keep AAPOR's English term).
DISPOSITION_LABELS = {
    "1.1": _l("Complete"),
    "1.2": _l("Partial"),
    "2.111": _l("Household-level refusal"),
    "2.112": _l("Known-respondent refusal"),
    "2.12": _l("Break-off"),
    "2.21": _l("Respondent never available"),
    "2.332": _l("Respondent language problem"),
    "2.333": _l("No interviewer available for needed language"),
    "3.11": _l("Not attempted or worked"),
    "3.12": _l("Always busy"),
    "3.13": _l("No answer"),
    "3.14": _l("Telephone answering device"),
    "3.15": _l("Call blocked"),
    "3.16": _l("Technical phone problems"),
    "4.10": _l("Out of sample"),
    "4.20": _l("Fax/data line"),
    "4.31": _l("Non-working number"),
    "4.32": _l("Disconnected number"),
    "4.33": _l("Number temporarily out of service"),
    "4.70": _l("No eligible respondent"),
    "4.80": _l("Quota filled"),
}

REFUSAL_REASONS = {
    "dialing_stopped": _l("all dialing is stopped"),
    "already_dialed": _l("the attempt was dialed already"),
    "attempt_ended": _l("the attempt had ended"),
    "not_in_campaign": _l("the contact is not on the campaign's list"),
    "not_held": _l("the claim on the contact was no longer held"),
    "do_not_call": _l("the number is on the do-not-call list"),
    "contact_done": _l("the contact was settled"),
    "campaign_not_running": _l("the campaign is not running"),
    "no_attempts_left": _l("no attempts left"),
    "excluded": _l("the number is excluded for this agent"),
    "outside_window": _l("outside the respondent's calling hours"),
    "off_shift": _l("the agent is off shift"),
    "language_not_spoken": _l("the agent does not speak the language well enough"),
    "agent_inactive": _l("the agent is inactive"),
    "country": _l("a country the campaign does not call"),
    "number_type": _l("a type of number the campaign does not call"),
    "premium_rate": _l("a premium-rate number"),
    "shared_cost": _l("a shared-cost number"),
    "invalid_number": _l("not a valid number"),
}

ANSWER_KINDS = {AnswerKind.GIVEN: _l("given"), AnswerKind.WITHDRAWN: _l("withdrawn"),
                AnswerKind.CORRECTED: _l("corrected")}

INTERVIEW_OUTCOMES = {"complete": _l("complete"), "refusal": _l("refusal"),
                      "screened_out": _l("screened out"), "quota_full": _l("quota full")}


def disposition_label(code: str) -> str:
    """An AAPOR code with its words: ``1.1 Complete``."""
    words = DISPOSITION_LABELS.get(code)
    found = DISPOSITIONS.get(code)
    return f"{code} {words if words is not None else found.label if found else ''}".strip()


def refusal_label(reason: str) -> str:
    """Why a dial was refused, in words (the code itself for a reason not listed here)."""
    return str(REFUSAL_REASONS.get(reason, reason))


def outcome_words(outcome: str | None) -> str:
    """An interview's outcome in words; "not finished" while it has none."""
    return str(INTERVIEW_OUTCOMES.get(outcome or "", outcome)) if outcome else \
        _("not finished")


def answer_text(prompt: Prompt, value: Any) -> str:
    """A stored answer as it reads: options by code and label (in the interview's language,
    as read out), yes/no, don't know and refused in the supervisor's language. Numbers in
    texts typed during the call are masked: supervisors never need one."""
    if value is None:
        return "—"
    if isinstance(value, dict) and set(value) == {"special"}:
        return str(_("don't know") if value["special"] == "dont_know" else _("refused"))
    labels = {option.code: option.label for option in prompt.options}
    if prompt.type == "yes_no":
        return str(_("yes") if value else _("no"))
    if labels and isinstance(value, (int, list, dict)):
        items = value if isinstance(value, list) else [value]
        return "; ".join(_option_text(item, labels) for item in items)
    if prompt.type == "verify" and isinstance(value, dict):
        return str(_("confirmed") if value.get("confirmed") else _(
            "corrected to %(value)s", value=mask_numbers(str(value.get("corrected", "")))))
    return mask_numbers(str(value)) if prompt.type == "text" else str(value)


def _option_text(item: Any, labels: dict[int, str]) -> str:
    if isinstance(item, dict) and "code" in item:
        details = mask_numbers(str(item.get("specify", "")))
        return f"{item['code']} {labels.get(int(item['code']), '')}: {details}"
    if isinstance(item, int):
        return f"{item} {labels.get(item, '')}".strip()
    return str(item)
