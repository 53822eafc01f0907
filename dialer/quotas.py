"""Full quotas, applied before the call: contacts who could only end as ``quota_full`` are not
dispatched any more.

A questionnaire quota whose ``when`` reads contact fields only (``contact.region == "BXL"``)
can be decided from the contact record, so once that quota is full every waiting contact it
matches is set aside (state ``quota_full``, kept, never deleted). A quota whose ``when`` reads
answers can only be decided during the interview; the interview engine ends those. Closed
quotas are recorded, so that contacts imported later are set aside too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dialer.campaigns import campaign_questionnaire
from dialer.errors import DialerError
from dialer.models import Campaign, ClosedQuota, Contact, ContactState, utc_now
from survey_engine.questionnaire.contact import ContactValueError, normalize
from survey_engine.questionnaire.model import ContactField, Questionnaire, Quota

logger = logging.getLogger(__name__)

BATCH = 5000


def close_full_quota(session: Session, campaign: Campaign, quota_id: str) -> int:
    """Declare quota ``quota_id`` of ``campaign`` full: record it, and set aside the waiting
    contacts it matches (contacts imported later are set aside as they come). Returns how many
    were set aside now. Closing a closed quota again sets aside what it matches since.

    :raises DialerError: ``quota_unknown``, or ``quota_needs_answers`` when the quota reads
        answers and cannot be decided before the interview.
    """
    questionnaire = campaign_questionnaire(campaign)
    quota = _contact_quota(campaign, questionnaire, quota_id)
    if session.get(ClosedQuota, (campaign.id, quota_id)) is None:
        session.add(ClosedQuota(campaign_id=campaign.id, quota_id=quota_id, closed_at=utc_now()))
    closed = _set_aside(session, campaign.id, questionnaire.contact_fields, [quota])
    logger.info("campaign %s: quota %s full, %d contacts set aside", campaign.code, quota_id,
                closed)
    return closed


def set_aside_for_closed_quotas(session: Session, campaign: Campaign, *, after_id: int = 0
                                ) -> int:
    """Set aside the waiting contacts with an id above ``after_id`` (those an import just
    stored) that a closed quota of ``campaign`` matches; how many."""
    quota_ids = list(session.scalars(select(ClosedQuota.quota_id)
                                     .where(ClosedQuota.campaign_id == campaign.id)))
    if not quota_ids:
        return 0
    questionnaire = campaign_questionnaire(campaign)
    quotas = [_contact_quota(campaign, questionnaire, quota_id) for quota_id in quota_ids]
    return _set_aside(session, campaign.id, questionnaire.contact_fields, quotas, after_id)


def _contact_quota(campaign: Campaign, questionnaire: Questionnaire, quota_id: str) -> Quota:
    """The quota ``quota_id``, refused unless it can be decided from contact fields alone."""
    quota = next((quota for quota in questionnaire.quotas if quota.id == quota_id), None)
    if quota is None:
        known = ", ".join(quota.id for quota in questionnaire.quotas) or "none"
        raise DialerError("quota_unknown", f"campaign {campaign.code} has no quota "
                                           f"{quota_id!r} (quotas: {known})")
    if quota.when.names:
        raise DialerError(
            "quota_needs_answers",
            f"quota {quota_id} reads answers ({', '.join(sorted(quota.when.names))}): it is "
            f"decided during the interview, not before the call")
    return quota


def _set_aside(session: Session, campaign_id: int, declared: Mapping[str, ContactField],
               quotas: list[Quota], after_id: int = 0) -> int:
    """Set the waiting contacts (id above ``after_id``) that any of ``quotas`` matches to
    ``quota_full``; how many."""
    closed = 0
    for batch in _waiting_batches(session, campaign_id, after_id):
        matching = [contact_id for contact_id, fields in batch
                    if _matches_any(quotas, _typed(declared, fields))]
        if matching:
            session.execute(update(Contact).where(Contact.id.in_(matching),
                                                  Contact.state == ContactState.WAITING)
                            .values(state=ContactState.QUOTA_FULL))
            closed += len(matching)
    session.flush()
    return closed


def _matches_any(quotas: list[Quota], fields: Mapping[str, Any]) -> bool:
    return any(quota.when.holds({}, fields) for quota in quotas)


def _waiting_batches(session: Session, campaign_id: int, after_id: int
                     ) -> Iterator[list[tuple[int, dict[str, Any]]]]:
    """The waiting contacts' ids (above ``after_id``) and fields, a batch at a time, in id
    order."""
    last = after_id
    while True:
        rows = session.execute(
            select(Contact.id, Contact.fields)
            .where(Contact.campaign_id == campaign_id, Contact.state == ContactState.WAITING,
                   Contact.id > last)
            .order_by(Contact.id).limit(BATCH)).all()
        if not rows:
            return
        yield [(row[0], row[1]) for row in rows]
        last = rows[-1][0]


def _typed(declared: Mapping[str, ContactField], stored: Mapping[str, Any]) -> dict[str, Any]:
    """Stored (JSON) field values back in the types expressions compare (dates, numbers)."""
    typed = {}
    for name, value in stored.items():
        field = declared.get(name)
        if field is None or value == "":
            continue
        try:
            typed[name] = normalize(field, value)
        except ContactValueError:
            logger.warning("contact field %s holds %r, not a %s", name, value, field.type)
    return typed
