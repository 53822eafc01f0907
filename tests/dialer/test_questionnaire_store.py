"""The questionnaires clients upload, on SQLite and PostgreSQL: one folder per client, slug
and version; nothing changed by a broken upload or a failed transaction; a fielded version
kept as it is; catalogs carried over to the next version (changed texts fuzzy) and checked
before they are accepted; the catalog of a started campaign's language kept; and a campaign
on an uploaded questionnaire interviewing in French from the questionnaire's own catalog."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import Engine, func, select

from dialer.campaigns import create_campaign, create_client
from dialer.contacts import add_contact
from dialer.db import transaction, writer
from dialer.errors import DialerError
from dialer.interviews import InterviewDesk
from dialer.models import Campaign, Client, ClientQuestionnaire
from dialer.questionnaire_store import (
    accept_catalog,
    questionnaire_upload,
    stored_questionnaire,
    template_file,
    translation_status,
    version_folder,
)
from survey_engine.errors import QuestionnaireError
from survey_engine.i18n.catalog import load_wording
from tests.dialer import callflow, factories
from tests.web.portal import BROKEN, CONTACT, FRENCH, SURVEY, catalog


def store(engine: Engine, root: Path, client_id: int, text: str) -> ClientQuestionnaire:
    with questionnaire_upload(root, client_id, text.encode(), "survey.yaml") as upload, \
            transaction(writer(engine)) as session:
        return upload.record(session, "client:test")


def new_client(engine: Engine) -> int:
    """A client of its own. The code is fresh every time: the shared database keeps every
    test's rows, and an object's id can come back."""
    with transaction(engine) as session:
        return create_client(session, f"STORE-{uuid.uuid4().hex[:12]}", "Store test").id


def french(engine: Engine, row: ClientQuestionnaire, translations: dict[str, str],
           **options: str) -> list[str]:
    """Upload a French catalog made from the version's template; the problems found."""
    content = catalog(template_file(stored_questionnaire(row)).read_bytes(), translations,
                      **options)
    with transaction(engine) as session:
        verdict = accept_catalog(session, row, "fr", content, "fr.po")
    return [problem.message for problem in verdict.problems]


def rows(engine: Engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(ClientQuestionnaire)) or 0


def test_a_version_is_kept_in_its_own_folder_with_its_template(engine: Engine,
                                                              tmp_path: Path) -> None:
    client = new_client(engine)
    row = store(engine, tmp_path, client, SURVEY)
    folder = version_folder(tmp_path, client, "portal-survey", 1)
    assert Path(row.path) == folder / "portal-survey.yaml"
    assert (row.slug, row.version, row.title, row.uploaded_by) == (
        "portal-survey", 1, "Portal survey", "client:test")
    assert len(row.source_sha256) == 64
    template = read_po((folder / "locales" / "portal-survey.pot").open("rb"))
    assert (template.project, template.version) == ("portal-survey", "1")
    assert sorted(path.name for path in folder.parent.iterdir()) == ["1"]  # no staging left


def test_a_broken_upload_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    client = new_client(engine)
    before = rows(engine)
    with pytest.raises(QuestionnaireError) as raised:
        store(engine, tmp_path, client, BROKEN)
    assert [(d.file, d.line) for d in raised.value.diagnostics] == [
        ("survey.yaml", 5), ("survey.yaml", 10), ("survey.yaml", 13), ("survey.yaml", 14)]
    assert rows(engine) == before
    assert not (tmp_path / str(client)).exists()


def test_a_failed_transaction_puts_the_replaced_version_back(engine: Engine,
                                                            tmp_path: Path) -> None:
    client = new_client(engine)
    row = store(engine, tmp_path, client, SURVEY)
    changed = SURVEY.replace("Which colour", "What colour")
    with pytest.raises(RuntimeError), \
            questionnaire_upload(tmp_path, client, changed.encode(), "survey.yaml") as upload, \
            transaction(writer(engine)) as session:
        upload.record(session, "client:test")
        assert "What colour" in Path(row.path).read_text(encoding="utf-8")  # swapped in
        raise RuntimeError("the commit fails")
    assert Path(row.path).read_text(encoding="utf-8") == SURVEY
    assert sorted(path.name for path in Path(row.path).parent.parent.iterdir()) == ["1"]
    with pytest.raises(RuntimeError), \
            questionnaire_upload(tmp_path, client, SURVEY.replace("portal-survey", "first")
                                 .encode(), "survey.yaml"):
        raise RuntimeError("the transaction fails")
    assert sorted(path.name for path in (tmp_path / str(client)).iterdir()) == [
        "portal-survey"]  # the new slug's folder is gone with it


def test_a_version_a_campaign_fields_is_never_replaced(engine: Engine, tmp_path: Path) -> None:
    client = new_client(engine)
    row = store(engine, tmp_path, client, SURVEY)
    with transaction(engine) as session:
        owner = session.get(ClientQuestionnaire, row.id)
        assert owner is not None
        create_campaign(session, session.get(Client, client),
                        f"FIELDS-{row.id}", "Fields it", Path(row.path), languages=["en"],
                        allowed_countries=["BE"], windows=factories.ALWAYS)
    with pytest.raises(DialerError) as refused:
        store(engine, tmp_path, client, SURVEY.replace("Which colour", "What colour"))
    assert refused.value.code == "questionnaire_in_use"
    assert Path(row.path).read_text(encoding="utf-8") == SURVEY


def test_the_next_version_starts_from_the_catalogs_of_the_one_before(engine: Engine,
                                                                     tmp_path: Path) -> None:
    client = new_client(engine)
    first = store(engine, tmp_path, client, SURVEY)
    assert french(engine, first, FRENCH) == []
    second = store(engine, tmp_path, client, SURVEY.replace("version: 1", "version: 2")
                   .replace("Which colour do you like best?", "Which colour do you love?"))
    po = Path(second.path).parent / "locales" / "fr" / "LC_MESSAGES" / "portal-survey.po"
    carried = read_po(po.open("rb"), locale="fr")
    assert carried.version == "2"
    changed = carried.get("Which colour do you love?", "portal-survey/colour/text")
    kept = carried.get("Red", "portal-survey/colour/options/1")
    assert changed is not None and changed.fuzzy
    assert kept is not None and kept.string == "Rouge" and not kept.fuzzy
    status = {s.language: s for s in translation_status(stored_questionnaire(second))}
    assert (status["fr"].translated, status["fr"].fuzzy, status["fr"].missing) == (8, 1, 0)
    assert status["fr"].fielding == "catalog_incomplete"
    assert status["en"].source and status["en"].fielding is None


def test_a_catalog_is_accepted_only_when_clean(engine: Engine, tmp_path: Path) -> None:
    client = new_client(engine)
    row = store(engine, tmp_path, client, SURVEY)
    assert any("empty entry" in problem for problem in
               french(engine, row, {**FRENCH, "portal-survey/colour/options/2": ""}))
    assert any("version 3 of portal-survey, not version 1" in problem
               for problem in french(engine, row, FRENCH, version="3"))
    assert french(engine, row, FRENCH, project="other-survey") == [
        "this catalog is for 'other-survey 1' (Project-Id-Version), not for 'portal-survey 1':"
        " start from the template of portal-survey 1"]
    assert not (Path(row.path).parent / "locales" / "fr").exists()
    assert french(engine, row, FRENCH) == []
    assert load_wording(stored_questionnaire(row), "fr").lookup(
        "portal-survey/colour/options/2", "Blue") == "Bleu"
    with transaction(engine) as session, pytest.raises(DialerError) as refused:
        accept_catalog(session, row, "en", b"", "en.po")
    assert refused.value.code == "language_not_offered"


def test_a_started_campaign_keeps_its_catalog_and_interviews_from_it(engine: Engine,
                                                                    tmp_path: Path) -> None:
    with transaction(engine) as session:
        campaign = factories.campaign(session, languages=("fr",), countries=("BE",),
                                      start=False)
        client, code = campaign.client_id, campaign.code
    row = store(engine, tmp_path, client, SURVEY)
    assert french(engine, row, FRENCH) == []
    with transaction(engine) as session:
        found = session.scalars(select(Campaign).where(Campaign.code == code)).one()
        made = create_campaign(session, found.client, f"{code}-FR", "In French",
                               Path(row.path), languages=["fr"], allowed_countries=["BE"],
                               windows=factories.ALWAYS)
        made.skip_public_holidays = False
        made.start()
        contact = add_contact(session, made, "+32470998877", "fr", fields=CONTACT)
        contact.due_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        site = factories.site(session)
        agent = factories.agent(session, site, ["fr"])
        agent_id = agent.id
    with transaction(engine) as session, pytest.raises(DialerError) as refused:
        accept_catalog(session, row, "fr", b"", "fr.po")
    assert refused.value.code == "catalog_in_use"
    centre = callflow.Centre(engine, made.id, made.code)
    centre.agents = {"FR": agent_id}
    case = centre.claim("FR", dt.datetime.now(dt.UTC))
    dialed = centre.desk.dial(case.attempt_id, dt.datetime.now(dt.UTC))
    assert dialed.answered_at is not None
    turn = InterviewDesk(engine).begin(case.attempt_id, dialed.answered_at)
    assert turn.prompt is not None
    assert turn.prompt.text == "Puis-je vous poser deux questions ?"
