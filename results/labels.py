"""Labels of an export in one language: question texts and option labels from the
questionnaire's catalog, the product's own words (``messages`` domain) for the rest.

The language is the one asked for; otherwise the client's, when the questionnaire offers it;
otherwise the questionnaire's source language.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from pathlib import Path

from dialer.models import Campaign
from results.errors import ResultsError
from survey_engine.i18n.catalog import Wording, load_wording
from survey_engine.i18n.messages import translations
from survey_engine.questionnaire.model import Question, Questionnaire


@dataclass(frozen=True)
class Labels:
    """Texts of one questionnaire and of the product in ``language``."""

    language: str
    questionnaire: Questionnaire
    wording: Wording
    messages: gettext.NullTranslations

    def question(self, question: Question) -> str:
        """The question's text (placeholders left as written)."""
        return self.wording.lookup(f"{self.questionnaire.slug}/{question.id}/text",
                                   question.text)

    def option(self, question: Question, code: int) -> str:
        """An option's label."""
        option = question.option(code)
        source = option.label if option is not None else str(code)
        return self.wording.lookup(f"{self.questionnaire.slug}/{question.id}/options/{code}",
                                   source)

    def title(self) -> str:
        """The questionnaire's title."""
        return self.wording.lookup(f"{self.questionnaire.slug}/title",
                                   self.questionnaire.title)

    def gettext(self, message: str) -> str:
        """A product string in the labels' language."""
        return self.messages.gettext(message)


def label_language(campaign: Campaign, questionnaire: Questionnaire,
                   asked: str | None = None) -> str:
    """The language labels are written in (see the module's docstring).

    :raises ResultsError: ``label_language`` when ``asked`` is not a language of the
        questionnaire.
    """
    if asked is not None:
        if asked not in questionnaire.languages:
            raise ResultsError("label_language",
                               f"{questionnaire.slug} has no labels in {asked!r}; it is "
                               f"written in {', '.join(questionnaire.languages)}")
        return asked
    client_language = campaign.client.language
    if client_language in questionnaire.languages:
        return client_language
    return questionnaire.source_language


def load_labels(questionnaire: Questionnaire, language: str,
                locales: Path | None = None) -> Labels:
    """The labels of ``questionnaire`` in ``language``.

    :raises CatalogError: when the questionnaire's catalog for ``language`` is missing or
        incomplete (the message says which steps remain).
    """
    wording = load_wording(questionnaire, language, locales)
    return Labels(language, questionnaire, wording, translations(language, locales))
