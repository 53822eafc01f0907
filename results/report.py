"""The client's report: one self-contained HTML file in the client's language, with its charts
as images (matplotlib): completes per day and per language, the outcome distribution and the
main AAPOR rates, each question's answers (NPS with its promoters, passives and detractors),
and the agents' productivity (by pseudonymous code only).

Product texts come from the ``messages`` catalog of the report's language; question texts and
option labels from the questionnaire's catalog, in the report's language when the
questionnaire is offered in it, else in its own language. Numbers, percentages and dates are
written the way the report's language writes them (CLDR). Free-text answers are counted,
never quoted: they may hold personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine

from dialer.campaigns import campaign_by_code, campaign_questionnaire
from dialer.models import Campaign
from dialer.outcomes import DISPOSITIONS, RateGroup
from results import charts
from results.errors import ResultsError
from results.exporters.base import staged
from results.labels import Labels, load_labels
from results.rates import Rate
from results.records import snapshot
from results.report_data import QuestionSummary, ReportData, gather
from survey_engine.i18n.languages import LANGUAGES, locale_of
from survey_engine.i18n.messages import translations

#: The rates the report shows, most quoted first.
SHOWN_RATES = ("RR1", "RR3", "COOP1", "REF1", "CON1")
_ENVIRONMENT = Environment(loader=PackageLoader("results"), autoescape=select_autoescape())


@dataclass(frozen=True)
class ReportResult:
    """What the report command wrote."""

    path: Path
    language: str
    interviews: int


def write_report(engine: Engine, campaign_code: str, out: Path | None = None, *,
                 language: str | None = None, locales: Path | None = None,
                 today: dt.date | None = None) -> ReportResult:
    """Write the HTML report of ``campaign_code`` (default ``CAMPAIGN-report.html``, here).

    :param language: the report's language (default: the client's); a product language.
    :raises ResultsError: ``report_language`` for a language the product does not speak;
        ``export_output`` when the folder of ``out`` does not exist.
    """
    if language is not None and language not in LANGUAGES:
        raise ResultsError("report_language", f"reports are written in {', '.join(LANGUAGES)}"
                                              f", not {language!r}")
    with snapshot(engine) as session:
        campaign = campaign_by_code(session, campaign_code)
        questionnaire = campaign_questionnaire(campaign)
        report_language = language or campaign.client.language
        label_language = report_language if report_language in questionnaire.languages \
            else questionnaire.source_language
        labels = load_labels(questionnaire, label_language, locales)
        data = gather(session, campaign, questionnaire)
        html = render(campaign, labels, data, report_language, locales,
                      today or dt.datetime.now(dt.UTC).date())
    target = out or Path(f"{campaign_code}-report.html")
    with staged(target) as (path,):
        path.write_text(html, encoding="utf-8")
    return ReportResult(target, report_language, data.interviews)


class _Writer:
    """Texts, numbers and dates in the report's language."""

    def __init__(self, language: str, locales: Path | None) -> None:
        self.language = language
        self.locale = locale_of(language)
        self.gettext = translations(language, locales).gettext

    def number(self, value: float | int | Any, places: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return str(format_decimal(value, format=pattern, locale=self.locale))

    def percent(self, rate: Rate | float | None) -> str:
        if rate is None:
            return "–"
        return str(format_percent(float(rate), format="#,##0.0%", locale=self.locale))

    def date(self, day: dt.date) -> str:
        return str(format_date(day, format="medium", locale=self.locale))


def _group_names(_: Any) -> dict[RateGroup, str]:
    return {RateGroup.INTERVIEW: _("Complete interviews"),
            RateGroup.PARTIAL: _("Partial interviews"),
            RateGroup.REFUSAL: _("Refusals and break-offs"),
            RateGroup.NON_CONTACT: _("Non-contacts"),
            RateGroup.OTHER: _("Other eligible, not interviewed"),
            RateGroup.UNKNOWN_HOUSEHOLD: _("Unknown if the number reaches a household"),
            RateGroup.UNKNOWN_OTHER: _("Unknown eligibility, other"),
            RateGroup.NOT_ELIGIBLE: _("Not eligible")}


def render(campaign: Campaign, labels: Labels, data: ReportData, language: str,
           locales: Path | None, today: dt.date) -> str:
    """The report's HTML."""
    write = _Writer(language, locales)
    _ = write.gettext
    days = sorted(data.completes_by_day)
    languages = sorted(data.completes_by_language)
    groups = _group_names(_)
    context = {
        "lang": language, "_": _, "title": labels.title(), "campaign": campaign.code,
        "client": campaign.client.name, "generated": write.date(today),
        "cases": write.number(data.cases), "interviews": write.number(data.interviews),
        "completes": write.number(data.codes.get("1.1", 0)),
        "rates": [(name, write.percent(data.rates.get(name))) for name in SHOWN_RATES],
        "days": [(write.date(day), write.number(data.completes_by_day[day])) for day in days],
        "days_chart": charts.bars([write.date(day) for day in days],
                                  [data.completes_by_day[day] for day in days],
                                  _("Completes per day")) if days else None,
        "languages": [(code, write.number(data.completes_by_language[code]))
                      for code in languages],
        "languages_chart": charts.bars(languages,
                                       [data.completes_by_language[c] for c in languages],
                                       _("Completes per language")) if languages else None,
        "groups": [(groups[group], write.number(data.groups[group]),
                    write.percent(data.groups[group] / data.cases if data.cases else None))
                   for group in RateGroup if data.groups[group]],
        "groups_chart": charts.bars(
            [groups[group] for group in RateGroup if data.groups[group]],
            [data.groups[group] / data.cases for group in RateGroup if data.groups[group]],
            _("Outcome of every case"), horizontal=True, percent=True) if data.cases else None,
        "codes": [(code, DISPOSITIONS[code].label, write.number(count))
                  for code, count in sorted(data.codes.items())],
        "questions": [_question(summary, labels, write) for summary in data.questions
                      if summary.answered],
        "agents": [(row.agent, row.site, write.number(row.attempts),
                    write.number(row.connected), write.number(row.completes),
                    write.number(row.talk_hours, 1),
                    "–" if row.completes_per_hour is None
                    else write.number(row.completes_per_hour, 2)) for row in data.agents],
    }
    return _ENVIRONMENT.get_template("report.html").render(context)


def _question(summary: QuestionSummary, labels: Labels, write: _Writer) -> dict[str, Any]:
    """One question's section: its text, a table and a chart of its answers."""
    _ = write.gettext
    question = summary.question
    special_words = {"dont_know": labels.gettext("don't know"),
                     "refused": labels.gettext("refused")}
    kind = question.type_name
    if kind in ("single_choice", "scale", "multi_choice"):
        names = {option.code: labels.option(question, option.code)
                 for option in question.options}
    elif kind == "yes_no":
        names = {1: labels.gettext("yes"), 2: labels.gettext("no")}
    elif kind == "verify":
        names = {1: labels.gettext("confirmed"), 2: labels.gettext("corrected")}
    elif kind == "nps":
        names = {score: str(score) for score in range(11)}
    else:
        names = {}
    rows = [(names[code], summary.codes[code]) for code in names]
    rows += [(special_words[name], count) for name, count in summary.specials.items()]
    section: dict[str, Any] = {
        "id": question.id, "text": labels.question(question),
        "answered": write.number(summary.answered),
        "rows": [(name, write.number(count),
                  write.percent(count / summary.answered if summary.answered else None))
                 for name, count in rows],
        "chart": charts.bars([name for name, _count in rows],
                             [count / summary.answered for _name, count in rows],
                             labels.question(question), horizontal=True, percent=True)
        if rows else None,
        "note": _("Several answers were possible: shares add up to more than 100%.")
        if kind == "multi_choice" else None,
    }
    nps = summary.nps
    if nps is not None and nps[3] is not None:
        detractors, passives, promoters, score = nps
        assert score is not None
        scored = detractors + passives + promoters
        bands = (_("Detractors (0-6)"), _("Passives (7-8)"), _("Promoters (9-10)"))
        section["nps"] = {"score": write.number(float(score) * 100, 0),
                          "bands": [(band, write.percent(count / scored)) for band, count in
                                    zip(bands, (detractors, passives, promoters), strict=True)],
                          "chart": charts.nps_bar([detractors / scored, passives / scored,
                                                   promoters / scored], bands,
                                                  _("Net Promoter Score"))}
    stats = summary.number_stats()
    if stats is not None:
        section["stats"] = [(_("Mean"), write.number(stats["mean"], 2)),
                            (_("Lowest"), write.number(stats["min"], 2)),
                            (_("Highest"), write.number(stats["max"], 2))]
    return section
