"""The administrators' page of partner tokens: a token issued there is shown once and works
at once, the list never shows a secret, a revoked token is refused at once, and a form with
mistakes issues nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import func, select

from dialer.db import transaction
from dialer.models import PartnerToken, User
from results.partner_tokens import TOKEN
from tests.web.centre import WebCentre, csrf_of, sign_in

ISSUED = re.compile(r'<code class="token">(sep_[^<]+)</code>')


def _count(centre: WebCentre) -> int:
    with transaction(centre.engine) as session:
        return int(session.scalar(select(func.count()).select_from(PartnerToken)) or 0)


def test_an_administrator_issues_and_revokes_a_token(web_app: Flask, web_centre: WebCentre
                                                     ) -> None:
    admin = sign_in(web_app, web_centre, "admin")
    page = admin.get("/admin/api-tokens/")
    assert page.status_code == 200 and "Partner API tokens" in page.text
    code = web_centre.campaign_codes["mine"]
    answer = admin.post("/admin/api-tokens/", data={
        "csrf_token": csrf_of(page.text), "name": "So Services nightly", "campaigns": [code],
        "days": "30"})
    assert answer.status_code == 200, answer.text
    found = ISSUED.search(answer.text)
    assert found is not None
    parts = TOKEN.fullmatch(found.group(1))
    assert parts is not None
    text, key, secret = found.group(1), parts.group(1), parts.group(2)
    partner = web_app.test_client()
    bearer = {"Authorization": f"Bearer {text}"}
    listed = partner.get("/api/v1/campaigns", headers=bearer)
    assert listed.status_code == 200 and listed.json["campaigns"][0]["code"] == code
    assert listed.json["token"]["name"] == "So Services nightly"
    again = admin.get("/admin/api-tokens/")
    assert key in again.text and secret not in again.text
    revoked = admin.post(f"/admin/api-tokens/{key}/revoke",
                         data={"csrf_token": csrf_of(again.text)})
    assert revoked.status_code == 302
    assert partner.get("/api/v1/campaigns", headers=bearer).json["code"] == "token_revoked"
    with transaction(web_centre.engine) as session:
        row = session.scalars(select(PartnerToken).where(PartnerToken.key == key)).one()
        assert row.created_by == row.revoked_by == "admin:web-admin"


def test_a_form_with_mistakes_issues_nothing(web_app: Flask, web_centre: WebCentre) -> None:
    admin = sign_in(web_app, web_centre, "admin")
    before = _count(web_centre)
    token = csrf_of(admin.get("/admin/api-tokens/").text)
    for data in ({"name": "", "campaigns": [web_centre.campaign_codes["mine"]], "days": "30"},
                 {"name": "pull", "campaigns": [], "days": "30"},
                 {"name": "pull", "campaigns": ["NO-SUCH"], "days": "30"},
                 {"name": "pull", "campaigns": [web_centre.campaign_codes["mine"]],
                  "days": "5000"},
                 {"name": "bell\x07", "campaigns": [web_centre.campaign_codes["mine"]],
                  "days": "30"}):
        answer = admin.post("/admin/api-tokens/", data={"csrf_token": token, **data})
        assert answer.status_code == 422 and 'class="error"' in answer.text, data
        assert ISSUED.search(answer.text) is None
    assert _count(web_centre) == before


def test_the_page_is_in_the_administrators_language(web_app: Flask, web_centre: WebCentre
                                                     ) -> None:
    with transaction(web_centre.engine) as session:
        user = session.scalars(select(User).where(User.login == "web-admin")).one()
        user.interface_language = "fr"
    try:
        page = sign_in(web_app, web_centre, "admin").get("/admin/api-tokens/")
    finally:
        with transaction(web_centre.engine) as session:
            session.scalars(select(User).where(User.login == "web-admin")).one() \
                .interface_language = "en"
    assert "Jetons de l’API partenaires" in page.text and "Émettre le jeton" in page.text
