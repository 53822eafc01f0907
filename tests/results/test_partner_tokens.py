"""Partner tokens: issued once in clear and stored as a hash only, scoped to campaigns,
expiring, revocable; a refused request changes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from dialer.errors import DialerError, NotFound
from dialer.models import PartnerToken
from results.errors import ResultsError
from results.partner_tokens import (
    TOKEN,
    campaign_of_token,
    issue_token,
    list_tokens,
    needs_touch,
    recognise,
    revoke_token,
    token_state,
    touch,
)
from tests.dialer import factories

NOW = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_a_token_is_shown_once_and_stored_as_its_sha256(session: Session) -> None:
    mine, other = factories.campaign(session), factories.campaign(session)
    issued = issue_token(session, "  So Services nightly  ", [mine.code, other.code],
                         "admin:web-admin", NOW, days=30)
    match = TOKEN.fullmatch(issued.text)
    assert match is not None and match.group(1) == issued.token.key
    row = session.scalars(select(PartnerToken)).one()
    assert row.token_sha256 == hashlib.sha256(issued.text.encode()).hexdigest()
    assert row.name == "So Services nightly" and row.created_by == "admin:web-admin"
    assert row.expires_at == NOW + dt.timedelta(days=30)
    assert [c.code for c in row.campaigns] == sorted([mine.code, other.code])
    stored = " ".join(str(value) for value in session.execute(
        text("SELECT * FROM partner_tokens")).one())
    secret = match.group(2)
    assert secret not in stored and issued.text not in stored


def test_two_tokens_never_share_a_key_or_a_secret(session: Session) -> None:
    campaign = factories.campaign(session)
    texts = {issue_token(session, f"t{n}", [campaign.code], "cli:ops", NOW).text
             for n in range(20)}
    assert len(texts) == 20
    assert len({token.key for token in list_tokens(session)}) == 20


def test_a_presented_token_is_recognised_until_revoked(session: Session) -> None:
    campaign = factories.campaign(session)
    issued = issue_token(session, "pull", [campaign.code], "cli:ops", NOW)
    assert recognise(session, issued.text, NOW).id == issued.token.id
    revoke_token(session, issued.token.key, "cli:ops", NOW + dt.timedelta(hours=1))
    with pytest.raises(ResultsError) as refused:
        recognise(session, issued.text, NOW + dt.timedelta(hours=2))
    assert refused.value.code == "token_revoked"
    assert token_state(issued.token, NOW) == "revoked"
    with pytest.raises(ResultsError) as again:
        revoke_token(session, issued.token.key, "cli:other", NOW)
    assert again.value.code == "token_revoked"
    assert issued.token.revoked_by == "cli:ops"


def test_a_token_expires(session: Session) -> None:
    campaign = factories.campaign(session)
    issued = issue_token(session, "pull", [campaign.code], "cli:ops", NOW, days=1)
    assert recognise(session, issued.text, NOW + dt.timedelta(hours=23)).id == issued.token.id
    with pytest.raises(ResultsError) as refused:
        recognise(session, issued.text, NOW + dt.timedelta(days=1))
    assert refused.value.code == "token_expired"


@pytest.mark.parametrize("presented", [
    "", "Bearer", "sep_", "sep_abcdefghij_short",
    "sep_ABCDEFGHIJ_" + "a" * 43,            # the key is lower case
    "xyz_abcdefghij_" + "a" * 43,            # another prefix
    "sep_abcdefghij_" + "a" * 43,            # well formed, never issued
])
def test_what_is_not_an_issued_token_is_refused_alike(session: Session, presented: str
                                                      ) -> None:
    campaign = factories.campaign(session)
    issued = issue_token(session, "pull", [campaign.code], "cli:ops", NOW)
    with pytest.raises(ResultsError) as refused:
        recognise(session, presented, NOW)
    assert refused.value.code == "token_invalid"
    tampered = issued.text[:-1] + ("A" if issued.text[-1] != "A" else "B")
    with pytest.raises(ResultsError):
        recognise(session, tampered, NOW)


def test_a_token_reads_only_its_campaigns(session: Session) -> None:
    mine, theirs = factories.campaign(session), factories.campaign(session)
    issued = issue_token(session, "pull", [mine.code], "cli:ops", NOW)
    assert campaign_of_token(session, issued.token.id, mine.code).id == mine.id
    for code in (theirs.code, "NO-SUCH-CAMPAIGN"):
        with pytest.raises(NotFound) as refused:
            campaign_of_token(session, issued.token.id, code)
        assert refused.value.code == "campaign_not_found"


@pytest.mark.parametrize(("name", "codes", "days", "by", "code"), [
    ("", ["MINE"], 30, "cli:ops", "token_name"),
    ("x" * 81, ["MINE"], 30, "cli:ops", "token_name"),
    ("bell\x07", ["MINE"], 30, "cli:ops", "token_name"),
    ("pull", [], 30, "cli:ops", "token_campaigns"),
    ("pull", ["MINE"], 0, "cli:ops", "token_days"),
    ("pull", ["MINE"], 3 * 365 + 1, "cli:ops", "token_days"),
    ("pull", ["MINE"], 30, "", "token_actor"),
    ("pull", ["MINE", "NO-SUCH"], 30, "cli:ops", "campaign_not_found"),
])
def test_a_bad_token_request_is_refused_and_stores_nothing(
        session: Session, name: str, codes: list[str], days: int, by: str, code: str) -> None:
    campaign = factories.campaign(session)
    codes = [campaign.code if given == "MINE" else given for given in codes]
    with pytest.raises(DialerError) as refused:
        issue_token(session, name, codes, by, NOW, days=days)
    assert refused.value.code == code
    assert list_tokens(session) == []


def test_revoking_an_unknown_key_is_refused(session: Session) -> None:
    with pytest.raises(NotFound) as refused:
        revoke_token(session, "nosuchkey0", "cli:ops", NOW)
    assert refused.value.code == "token_not_found"


def test_last_use_is_written_at_most_once_a_minute(session: Session) -> None:
    campaign = factories.campaign(session)
    token = issue_token(session, "pull", [campaign.code], "cli:ops", NOW).token
    assert needs_touch(token, NOW)
    touch(session, token.id, NOW)
    assert token.last_used_at == NOW
    assert not needs_touch(token, NOW + dt.timedelta(seconds=59))
    assert needs_touch(token, NOW + dt.timedelta(seconds=60))
