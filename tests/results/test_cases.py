"""Cases as the rates count them: each contact once, with its final (or latest) code, its
language, and the site and local day of its last attempt; a contact never called has neither
and counts as not attempted (3.11)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from sqlalchemy import Engine

from dialer.db import transaction
from dialer.models import Site
from results.cases import Case, iter_cases, rate_table
from results.records import snapshot
from tests.results.scenario import COMPLETE_NL, COMPLETE_RU, REFUSAL, centre_with, interview


def test_cases_have_the_site_and_local_day_of_their_last_call(committed: tuple[Engine, str]
                                                               ) -> None:
    centre = centre_with(committed[0], ["ru", "nl", "nl", "nl"])
    late = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(hour=23, minute=30)
    interview(centre, "RU1", COMPLETE_RU, at=late)       # 00:3x in Brussels: the next day
    interview(centre, "NL1", COMPLETE_NL)
    interview(centre, "NL1", REFUSAL)
    with transaction(centre.engine) as session:
        site = session.query(Site).one()
        site_code = site.code
    with snapshot(centre.engine) as session:
        cases = list(iter_cases(session, centre.campaign_id, batch=2))
    russian, dutch, refused, never = cases
    assert russian == Case("1.1", "ru", site_code, late.date() + dt.timedelta(days=1))
    assert (dutch.code, dutch.site, refused.code) == ("1.1", site_code, "2.111")
    assert never == Case("3.11", "nl", None, None)
    rows = {(row.dimension, row.value): row for row in rate_table(iter(cases))}
    campaign = rows[("campaign", "")]
    # I=2, R=1, UH=1 (3.11); e = 3 / (3 + 0) = 1: RR1 = 2/4, RR3 = 2/(3 + 1*1)
    assert (campaign.cases, campaign.e) == (4, Fraction(1))
    assert campaign.rates["RR1"] == Fraction(2, 4) and campaign.rates["RR5"] == Fraction(2, 3)
    assert rows[("language", "nl")].cases == 3 and rows[("site", "–")].cases == 1
    assert rows[("day", str(russian.day))].codes == {"1.1": 1}
    given = rate_table(iter(cases), e=Fraction(1, 2))
    assert given[0].e_given and given[0].rates["RR3"] == Fraction(2, 3 + Fraction(1, 2))
