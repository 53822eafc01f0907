"""The client's report: one HTML file in the client's language (or the one asked for), charts
embedded as PNG images, every section there, NPS bands counted, free texts never quoted, and
agents named by code only."""

from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dialer.db import transaction
from dialer.models import Campaign
from results.errors import ResultsError
from results.report import write_report
from tests.dialer.callflow import Centre
from tests.results.scenario import COMPLETE_NL, COMPLETE_RU, REFUSAL, centre_with, interview

DAY = dt.date(2026, 11, 25)


def _centre(engine: Engine) -> Centre:
    centre = centre_with(engine, ["ru", "nl", "nl"])
    interview(centre, "RU1", COMPLETE_RU)
    interview(centre, "NL1", COMPLETE_NL)
    interview(centre, "NL1", REFUSAL)
    return centre


def test_the_report_speaks_the_clients_language(committed: tuple[Engine, str],
                                                tmp_path: Path) -> None:
    centre = _centre(committed[0])
    with transaction(centre.engine) as session:
        campaign = session.get(Campaign, centre.campaign_id)
        assert campaign is not None
        campaign.client.language = "fr"
    result = write_report(centre.engine, centre.campaign_code, tmp_path / "r.html", today=DAY)
    html = result.path.read_text(encoding="utf-8")
    assert result.language == "fr" and result.interviews == 3
    assert '<html lang="fr">' in html and "Rapport du 25 nov. 2026" in html
    for heading in ("Résumé", "Entretiens complets", "Résultats", "Réponses",
                    "Productivité des enquêteurs"):
        assert f"<h2>{heading}</h2>" in html
    # Question texts in French from the questionnaire's catalog.
    assert "Accepteriez-vous de répondre à quelques questions ?" in html
    images = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) >= 5
    assert all(base64.b64decode(image).startswith(b"\x89PNG") for image in images)
    # NPS: scores 9 (promoter) and dont_know: one promoter of one score given.
    assert "Promoteurs (9-10)" in html and ">100<" in html
    # Free texts are counted, never quoted; agents by code.
    assert "Связь хорошая" not in html and "RU1" in html and "NL1" in html


def test_the_report_in_another_language(committed: tuple[Engine, str], tmp_path: Path) -> None:
    centre = _centre(committed[0])
    result = write_report(centre.engine, centre.campaign_code, tmp_path / "r.html",
                          language="ru", today=DAY)
    html = result.path.read_text(encoding="utf-8")
    assert "<h2>Сводка</h2>" in html and "Производительность интервьюеров" in html
    with pytest.raises(ResultsError) as error:
        write_report(centre.engine, centre.campaign_code, tmp_path / "x.html", language="xx")
    assert error.value.code == "report_language" and not (tmp_path / "x.html").exists()
