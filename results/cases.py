"""The cases AAPOR rates count: every contact of a campaign with its disposition, language,
site and day, and rate tables per campaign, language, site and day.

- A case is a contact. Its disposition is its final one once settled, else the latest (so
  rates of a campaign still in the field are interim rates); a contact never called is 3.11
  (not attempted), one set aside by a closed quota 4.80 unless a call found more
  (:func:`results.records.case_disposition`).
- Its language is the language it is dialed in (its dispatch group's; a respondent re-routed
  to the language they speak counts in that one).
- Its site is the site of the agent of its last attempt, and its day the date of that
  attempt (when it ended, else when it was claimed) in the site's time zone: the call that
  decided the case, where and when it was made. A contact never attempted has neither.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dialer.models import Agent, Attempt, Contact, ContactState, DispatchGroup, Site
from results.rates import GroupCounts, Rate, estimate_e, outcome_rates
from results.records import case_disposition

#: The dimensions a rate table may be cut by.
DIMENSIONS = ("language", "site", "day")


@dataclass(frozen=True)
class Case:
    """One contact as the rates count it."""

    code: str
    language: str
    site: str | None
    day: dt.date | None


def iter_cases(session: Session, campaign_id: int, batch: int = 5000) -> Iterator[Case]:
    """Every contact of the campaign as a :class:`Case`, in id order, ``batch`` at a time."""
    last = (select(Attempt.contact_id, func.max(Attempt.id).label("attempt_id"))
            .where(Attempt.campaign_id == campaign_id).group_by(Attempt.contact_id)
            .subquery())
    query = (select(Contact.id, Contact.state, Contact.disposition, DispatchGroup.language,
                    Site.code, Site.time_zone, Attempt.ended_at, Attempt.claimed_at)
             .join(DispatchGroup, DispatchGroup.id == Contact.group_id)
             .outerjoin(last, last.c.contact_id == Contact.id)
             .outerjoin(Attempt, Attempt.id == last.c.attempt_id)
             .outerjoin(Agent, Agent.id == Attempt.agent_id)
             .outerjoin(Site, Site.id == Agent.site_id)
             .where(Contact.campaign_id == campaign_id)
             .order_by(Contact.id).limit(batch))
    after = 0
    zones: dict[str, ZoneInfo] = {}
    while True:
        rows = session.execute(query.where(Contact.id > after)).all()
        if not rows:
            return
        for _id, state, code, language, site, zone, ended, claimed in rows:
            moment = ended or claimed
            day = None
            if moment is not None and zone is not None:
                day = moment.astimezone(zones.setdefault(zone, ZoneInfo(zone))).date()
            yield Case(case_disposition(ContactState(state), code), language, site, day)
        after = rows[-1][0]


@dataclass(frozen=True)
class RateRow:
    """The rates of one slice of a campaign's cases."""

    dimension: str
    value: str
    cases: int
    counts: GroupCounts
    codes: dict[str, int]
    e: Fraction | None
    #: Whether ``e`` was given rather than estimated from this slice.
    e_given: bool
    rates: dict[str, Rate]


def rate_table(cases: Iterator[Case], e: Fraction | None = None,
               dimensions: tuple[str, ...] = DIMENSIONS) -> list[RateRow]:
    """Rates for the whole campaign, then for each value of each dimension.

    :param e: applied to every row; None estimates it from each row's own cases.
    """
    codes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for case in cases:
        codes[("campaign", "")][case.code] += 1
        for dimension in dimensions:
            value = getattr(case, dimension)
            codes[(dimension, "–" if value is None else str(value))][case.code] += 1
    order = {name: index for index, name in enumerate(("campaign", *dimensions))}
    rows = []
    for (dimension, value), counted in sorted(codes.items(),
                                              key=lambda item: (order[item[0][0]], item[0][1])):
        counts = GroupCounts.of_codes(counted)
        row_e = e if e is not None else estimate_e(counts)
        rows.append(RateRow(dimension, value, counts.total, counts, dict(counted), row_e,
                            e is not None, outcome_rates(counts, row_e)))
    return rows
