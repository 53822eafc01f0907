"""Words the portal shows for codes, in the reader's language: campaign and contact states,
AAPOR rate groups, fielding refusals."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from dialer.models import CampaignState, ContactState

CAMPAIGN_STATES = {CampaignState.DRAFT: _l("draft"), CampaignState.RUNNING: _l("running"),
                   CampaignState.PAUSED: _l("paused"), CampaignState.FINISHED: _l("finished")}
CONTACT_STATES = {ContactState.WAITING: _l("waiting"), ContactState.DONE: _l("done"),
                  ContactState.QUOTA_FULL: _l("set aside: quota full"),
                  ContactState.DO_NOT_CALL: _l("never to be called")}
#: The AAPOR rate groups (their letters are AAPOR's own).
RATE_GROUPS = {"I": _l("interviews completed"), "P": _l("partial interviews"),
               "R": _l("refusals and break-offs"), "NC": _l("non-contacts"),
               "O": _l("other eligible"), "UH": _l("unknown if household"),
               "UO": _l("unknown, other"), "NE": _l("not eligible")}
#: Why a language cannot be fielded, by the catalog error's code.
FIELDING = {None: _l("ready"), "catalog_missing": _l("no catalog yet"),
            "catalog_stale": _l("catalog older than its translation: compile it"),
            "catalog_incomplete": _l("translation incomplete"),
            "catalog_placeholders": _l("placeholders differ from the source"),
            "catalog_unreadable": _l("catalog unreadable"),
            "template_missing": _l("no template")}

#: The export formats as the client knows them (a format installed later shows its name).
FORMATS = {"csv": _l("CSV with its codebook (ZIP)"), "jsonl": _l("JSON Lines"),
           "xlsx": _l("Excel workbook (XLSX)"), "sav": _l("SPSS (.sav)"),
           "sss": _l("Triple-S XML and data (ZIP)")}


def format_label(name: str) -> str:
    return str(FORMATS.get(name, name))


def campaign_state_label(state: CampaignState) -> str:
    return str(CAMPAIGN_STATES[state])


def contact_state_label(state: ContactState) -> str:
    return str(CONTACT_STATES.get(state, state.value))


def rate_group_label(group: str) -> str:
    return str(RATE_GROUPS[group])


def fielding_label(code: str | None) -> str:
    return str(FIELDING.get(code, code))
