"""The client portal: a client's questionnaires (upload with line-numbered errors, preview in
every language as an agent reads it, translation status, template download and translated
catalogs checked before they are accepted, scripted interviews), its campaigns (created as
drafts, contacts imported with the report of the lines refused, progress with the AAPOR
counts) and their results (every export format, the AAPOR rates, the HTML report).

A client sees only its own organisation's questionnaires and campaigns, an administrator
everyone's: every route checks the role and the object (:mod:`survey_engine.web.access`).
docs/web.md, "The client portal", describes the whole.
"""

from __future__ import annotations

from flask import Blueprint

from dialer.models import Role

bp = Blueprint("client", __name__, url_prefix="/client")
#: Who the portal serves.
CLIENTS = (Role.CLIENT, Role.ADMIN)

from survey_engine.web.client import (  # noqa: E402,F401  (register the routes)
    campaign_views,
    download_views,
    questionnaire_views,
    script_views,
    views,
)
from survey_engine.web.client.labels import (  # noqa: E402
    campaign_state_label,
    contact_state_label,
    fielding_label,
    format_label,
    rate_group_label,
)

for _helper in (campaign_state_label, contact_state_label, fielding_label, format_label,
                rate_group_label):
    bp.add_app_template_global(_helper)
