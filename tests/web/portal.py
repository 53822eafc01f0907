"""What the client-portal tests upload: a small questionnaire in English and French (a
broken one too), its French catalog written from its template, scripted interviews, and the
portal's objects of each client for the access-control matrix."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from sqlalchemy import Engine

from dialer.contact_imports import import_contact_file
from dialer.db import transaction, writer
from dialer.models import Campaign
from dialer.questionnaire_store import questionnaire_upload, store_root
from survey_engine.i18n.languages import plural_forms

SURVEY = """\
questionnaire: portal-survey
version: 1
title: Portal survey
source_language: en
languages: [en, fr]
contact_fields:
  first_name: {type: text}
  mobile: {type: phone}
  postcode: {type: text, pattern: '^\\d{4}$'}
intro: Hello {contact.first_name}, this is a short survey.
closing: Thank you, {contact.first_name}!
questions:
  - id: consent
    type: yes_no
    text: May I ask you two questions?
    end_if: not consent
    end_outcome: refusal
  - id: colour
    type: single_choice
    text: Which colour do you like best?
    options:
      1: Red
      2: Blue
      3: {label: Another colour, specify: true}
    allow: [dont_know]
  - id: why
    type: text
    text: Why “{colour}”, and is {contact.mobile} still your number?
    show_if: colour != dont_know
"""

#: Four problems on known lines: an unknown language (5), a question without its options (10)
#: because their key is misspelt (13), a name that is not an earlier question (14).
BROKEN = """\
questionnaire: portal-survey
version: 1
title: Portal survey
source_language: en
languages: [en, xx]
questions:
  - id: consent
    type: yes_no
    text: May I ask you two questions?
  - id: colour
    type: single_choice
    text: Which colour do you like best?
    optons: {1: Red, 2: Blue}
    show_if: consnt
"""

#: The French of every text of SURVEY, by message context.
FRENCH = {
    "portal-survey/title": "Enquête du portail",
    "portal-survey/intro": "Bonjour {contact.first_name}, voici une courte enquête.",
    "portal-survey/closing": "Merci, {contact.first_name} !",
    "portal-survey/consent/text": "Puis-je vous poser deux questions ?",
    "portal-survey/colour/text": "Quelle couleur préférez-vous ?",
    "portal-survey/colour/options/1": "Rouge",
    "portal-survey/colour/options/2": "Bleu",
    "portal-survey/colour/options/3": "Une autre couleur",
    "portal-survey/why/text": "Pourquoi « {colour} », et le {contact.mobile} est-il toujours "
                              "votre numéro ?",
}

SCRIPT = """\
- name: likes blue
  contact: {first_name: Ana, mobile: '+32470123456', postcode: '1000'}
  answers: {consent: yes, colour: 2, why: Calm}
  path: [consent, colour, why]
  outcome: complete
  piped:
    why: {fr: "Pourquoi « Bleu », et le +32 4•• •• •• 56 est-il toujours votre numéro ?"}
- name: says no
  contact: {first_name: Bo, mobile: '+32470123457', postcode: '2000'}
  answers: {consent: no}
  path: [consent, colour]
  outcome: complete
"""

CONTACT = {"first_name": "Ana", "mobile": "+32470123456", "postcode": "1000"}


def catalog(template: bytes, translations: Mapping[str, str], *, language: str = "fr",
            fuzzy: tuple[str, ...] = (), project: str | None = None,
            version: str | None = None) -> bytes:
    """A translated catalog made from ``template`` (a ``.pot``): each entry translated as
    ``translations`` says by its context (missing ones left empty), ``fuzzy`` ones flagged,
    and its header naming ``project`` and ``version`` if given."""
    source = read_po(io.BytesIO(template))
    made = Catalog(locale=language, domain=source.project, project=project or source.project,
                   version=version or source.version, fuzzy=False)
    for message in source:
        if not message.id:
            continue
        flags = {"fuzzy"} if message.context in fuzzy else set()
        made.add(message.id, translations.get(message.context or "", ""),
                 locations=message.locations, context=message.context, flags=flags)
    made.mime_headers = [("Plural-Forms", plural_forms(language))]
    out = io.BytesIO()
    write_po(out, made)
    return out.getvalue()


def add_portal_objects(engine: Engine, instance: Path, campaigns: dict[str, int]
                       ) -> tuple[dict[str, int], dict[str, int]]:
    """For the client of each campaign (``mine``, ``theirs``): a stored questionnaire, and an
    import into the campaign with a line refused (so a reject report to download). Returns
    the questionnaire ids and the import ids, by the same keys."""
    questionnaires, imports = {}, {}
    for key, campaign_id in campaigns.items():
        with transaction(engine) as session:
            campaign = session.get(Campaign, campaign_id)
            assert campaign is not None
            client_id = campaign.client_id
        with questionnaire_upload(store_root(instance), client_id, SURVEY.encode(),
                                  "portal-survey.yaml") as upload, \
                transaction(writer(engine)) as session:
            questionnaires[key] = upload.record(session, "admin:fixture").id
        contacts = instance / f"{key}-contacts.csv"
        contacts.write_text("phone,language,first_name,customer_number,customer_since\n"
                            "+32 470 55 51 99,tr,Ayşe,LT1234567,2019-05-01\n"
                            "not a number,tr,Ali,LT1234568,2019-05-01\n", encoding="utf-8")
        imports[key] = import_contact_file(engine, campaign_id, contacts, "contacts.csv",
                                           instance, "admin:fixture").row.id
    return questionnaires, imports
