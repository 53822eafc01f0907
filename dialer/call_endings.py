"""How calls may end: which endings the network gives, which need a conversation, which only
the questionnaire decides, and the share of a questionnaire answered (partial or break-off)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dialer.errors import DialerError
from dialer.interview_rows import contact_interview
from dialer.models import Attempt, Interview
from dialer.outcomes import CallEnding
from dialer.telephony.base import NetworkEnding

#: Network endings as attempt endings (answered calls end later, by the agent or the system).
NETWORK_ENDINGS = {
    NetworkEnding.BUSY: CallEnding.BUSY,
    NetworkEnding.NO_ANSWER: CallEnding.NO_ANSWER,
    NetworkEnding.ANSWERING_MACHINE: CallEnding.ANSWERING_MACHINE,
    NetworkEnding.NON_WORKING: CallEnding.NON_WORKING,
    NetworkEnding.DISCONNECTED: CallEnding.DISCONNECTED,
    NetworkEnding.CALL_BLOCKED: CallEnding.CALL_BLOCKED,
    NetworkEnding.NETWORK_FAILURE: CallEnding.NETWORK_FAILURE,
    NetworkEnding.WITHDRAWN: CallEnding.WITHDRAWN,
}
#: Endings the questionnaire itself decides; an agent cannot claim them on their own.
INTERVIEW_OUTCOMES = {"complete": CallEnding.COMPLETE, "screened_out": CallEnding.SCREENED_OUT,
                       "quota_full": CallEnding.QUOTA_FULL, "refusal": CallEnding.REFUSAL}
#: Endings that need a connected respondent.
CONVERSATION_ENDINGS = frozenset({
    CallEnding.COMPLETE, CallEnding.BREAK_OFF, CallEnding.REFUSAL, CallEnding.APPOINTMENT,
    CallEnding.RESPONDENT_UNAVAILABLE, CallEnding.LANGUAGE_PROBLEM,
    CallEnding.QUOTA_FULL, CallEnding.SCREENED_OUT, CallEnding.ASKED_NOT_TO_BE_CALLED})


def interview_for_ending(session: Session, attempt: Attempt, ending: CallEnding
                         ) -> Interview | None:
    """The contact's interview, if any, after checking that ``ending`` fits it.

    Only an ending the questionnaire reached during this call binds it: a refusal at consent
    on an earlier call does not stop a later call from ending otherwise (a conversion).

    :raises DialerError: ``bad_ending`` when the interview ended otherwise during this call,
        or when ``ending`` is one only the questionnaire decides and it has not.
    """
    interview = contact_interview(session, attempt.contact_id)
    outcome = interview.outcome if interview is not None \
        and interview.ended_attempt_id == attempt.id else None
    decided = INTERVIEW_OUTCOMES.get(outcome or "")
    if decided is not None and decided is not ending:
        raise DialerError("bad_ending", f"the interview ended as {outcome}; the call "
                                        f"cannot end as {ending.value}")
    if decided is None and ending in (CallEnding.COMPLETE, CallEnding.SCREENED_OUT,
                                      CallEnding.QUOTA_FULL):
        raise DialerError("bad_ending", f"{ending.value}: only the questionnaire decides "
                                        "that, and the interview has not ended")
    return interview


def answered_share(interview: Interview | None) -> float:
    """The share of the questionnaire answered, for telling a partial from a break-off."""
    if interview is None:
        return 0.0
    total = interview.answered + interview.remaining
    return 0.0 if total == 0 else interview.answered / total
