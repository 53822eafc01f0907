"""A campaign's results downloaded from the client portal, on SQLite and PostgreSQL, each
format read back by a real consumer (csv, json, openpyxl, pyreadstat, the Triple-S XML): the
interviews taken through the real dialer and interview desks, contact data only as the
campaign allows, the AAPOR rates and the HTML report."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pyreadstat
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from dialer.accounts import create_user
from dialer.db import transaction
from dialer.models import Campaign, Role
from dialer.passwords import hash_secret
from survey_engine.i18n.catalog import load_wording
from survey_engine.questionnaire.loader import load
from survey_engine.web import create_app
from tests.conftest import QUESTIONNAIRES
from tests.database_fixtures import require_backend
from tests.dialer.databases import BACKENDS, migrated_database
from tests.results.scenario import (
    BREAK_OFF,
    COMPLETE_NL,
    COMPLETE_RU,
    REFUSAL,
    centre_with,
    interview,
)
from tests.web.centre import PASSWORD, WebCentre, app_config, sign_in


@pytest.fixture(scope="module", params=BACKENDS)
def results_portal(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                   ) -> Iterator[tuple[Flask, WebCentre, str]]:
    """Four interviews of a campaign whose exports may carry the customer number (not the
    first name), its client signed in to the portal: (app, centre, campaign id in a URL)."""
    backend = str(request.param)
    require_backend(backend)
    with migrated_database(backend, tmp_path_factory.mktemp(f"downloads-{backend}")) as (
            engine, url):
        centre = centre_with(engine, ["ru", "nl", "nl", "nl"], export_fields=["customer_number"])
        for agent, script in (("RU1", COMPLETE_RU), ("NL1", COMPLETE_NL), ("NL2", REFUSAL),
                              ("NL1", BREAK_OFF)):
            interview(centre, agent, script)
        with transaction(engine) as session:
            campaign = session.get(Campaign, centre.campaign_id)
            assert campaign is not None
            create_user(session, "results-client", Role.CLIENT, hash_secret(PASSWORD),
                        client=campaign.client)
        web = WebCentre(engine, url, logins={"client": "results-client"})
        app = create_app(app_config(web, tmp_path_factory.mktemp("instance")))
        yield app, web, f"/client/campaigns/{centre.campaign_id}"


@pytest.fixture
def browser(results_portal: tuple[Flask, WebCentre, str]) -> tuple[FlaskClient, str]:
    app, centre, campaign = results_portal
    return sign_in(app, centre, "client"), campaign


def download(browser: tuple[FlaskClient, str], tail: str) -> bytes:
    client, campaign = browser
    response = client.get(campaign + tail)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Disposition"].startswith("attachment")
    return response.data


def test_csv_comes_with_its_codebook_in_one_archive(browser: tuple[FlaskClient, str]) -> None:
    archive = zipfile.ZipFile(io.BytesIO(download(browser, "/export?format=csv")))
    names = archive.namelist()
    assert len(names) == 2 and names[0].endswith(".csv") and names[1].endswith(".codebook.csv")
    rows = list(csv.DictReader(io.StringIO(archive.read(names[0]).decode("utf-8"))))
    assert [row["language"] for row in rows] == ["ru", "nl", "nl", "nl"]
    assert {row["aapor"] for row in rows} == {"1.1", "2.111", "2.12"}
    assert all(row["contact_customer_number"] == "LT1234567" for row in rows)
    assert not any(column.startswith("contact_first_name") for column in rows[0])
    codebook = archive.read(names[1]).decode("utf-8")
    assert codebook.startswith("variable,label,type,measure,value,value_label,missing")


def test_json_lines_carry_only_the_contact_fields_allowed(
        browser: tuple[FlaskClient, str]) -> None:
    lines = download(browser, "/export?format=jsonl").decode("utf-8").splitlines()
    documents = [json.loads(line) for line in lines]
    assert len(documents) == 4
    assert all(document["contact"] == {"customer_number": "LT1234567"}
               for document in documents)
    assert all(len(document["trace"]["hash"]) == 64 for document in documents)


def test_a_workbook_spss_file_and_triple_s_are_read_back(
        browser: tuple[FlaskClient, str], tmp_path: Path) -> None:
    workbook = load_workbook(io.BytesIO(download(browser, "/export?format=xlsx")),
                             read_only=True)
    interviews = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(interviews) == 1 + 4
    sav = tmp_path / "results.sav"
    sav.write_bytes(download(browser, "/export?format=sav&lang=ru"))
    frame, meta = pyreadstat.read_sav(str(sav))
    assert len(frame) == 4 and "contact_customer_number" in meta.column_names
    sample = load(QUESTIONNAIRES / "customer-satisfaction.yaml")
    russian = load_wording(sample, "ru").lookup("customer-satisfaction/consent/text",
                                                sample.question("consent").text)
    assert meta.column_names_to_labels["consent"] == russian != sample.question("consent").text
    archive = zipfile.ZipFile(io.BytesIO(download(browser, "/export?format=sss")))
    xml_name = next(name for name in archive.namelist() if name.endswith(".sss"))
    data_name = next(name for name in archive.namelist() if name.endswith(".asc"))
    assert ET.fromstring(archive.read(xml_name)).tag == "sss"
    assert len(archive.read(data_name).decode("utf-8").splitlines()) == 4


def test_an_unknown_format_or_language_is_refused(browser: tuple[FlaskClient, str]) -> None:
    client, campaign = browser
    assert client.get(f"{campaign}/export?format=pdf").status_code == 404
    assert client.get(f"{campaign}/export").status_code == 404
    refused = client.get(f"{campaign}/export?format=csv&lang=de")
    assert refused.status_code == 422
    assert "has no labels in &#39;de&#39;" in refused.text


def test_the_aapor_rates_are_counted_per_campaign_and_language(
        browser: tuple[FlaskClient, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(download(browser, "/rates.csv").decode("utf-8"))))
    campaign = rows[0]
    assert (campaign["by"], campaign["cases"], campaign["I"], campaign["R"]) == (
        "campaign", "4", "2", "2")
    assert campaign["RR1"] == "0.5000" and campaign["COOP1"] == "0.5000"
    by_language = {row["value"]: row for row in rows if row["by"] == "language"}
    assert (by_language["ru"]["I"], by_language["nl"]["I"], by_language["nl"]["R"]) == (
        "1", "1", "2")
    assert {row["by"] for row in rows} == {"campaign", "language", "site", "day"}


def test_the_report_is_one_html_file_in_the_language_asked(
        browser: tuple[FlaskClient, str]) -> None:
    client, campaign = browser
    response = client.get(f"{campaign}/report.html?lang=fr")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.mimetype == "text/html"
    html = response.data.decode("utf-8")
    assert '<html lang="fr"' in html and "data:image/png;base64," in html
    page = client.get(campaign).text
    assert "Download the report (HTML)" in page
