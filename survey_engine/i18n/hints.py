"""What to run when a questionnaire has no compiled catalog in a language: the remaining
steps of extract -> init -> translate -> compile, given which files already exist, written
as commands that work from the questionnaire's own folder and catalogs directory.
"""

from __future__ import annotations

import shlex
from pathlib import Path

from survey_engine.i18n.paths import PROJECT_ROOT, locales_dir, po_path, pot_path
from survey_engine.i18n.pofiles import UnreadableCatalogError, read_catalog
from survey_engine.questionnaire.model import Questionnaire


def compile_steps(questionnaire: Questionnaire, language: str, root: Path) -> str:
    """The steps still needed to compile ``questionnaire``'s catalog for ``language`` in
    ``root``, as one line: ``extract`` when there is no template or it lacks some of the
    questionnaire's texts, ``init`` and translating when there is no ``.po``, then
    ``compile``.

    ``--questionnaires`` is added when the questionnaire is not in the project's
    ``questionnaires/`` folder, ``--locales`` when ``root`` is not the default.
    """
    domain = questionnaire.domain
    options = _options(questionnaire, root) + f" --domain {shlex.quote(domain)}"
    po = po_path(root, language, domain)
    steps: list[str] = []
    if not po.exists():
        if not _template_covers(questionnaire, pot_path(root, domain)):
            steps.append(f"'survey-engine i18n extract{options}'")
        steps.append(f"'survey-engine i18n init{options} --lang {language}'")
        steps.append(f"translate {po}")
    steps.append(f"'survey-engine i18n compile{options} --lang {language}'")
    return "run " + ", then ".join(steps)


def _options(questionnaire: Questionnaire, root: Path) -> str:
    options = ""
    source = Path(questionnaire.filename)
    if source.is_file() and \
            source.resolve().parent != (PROJECT_ROOT / "questionnaires").resolve():
        options += f" --questionnaires {shlex.quote(str(source.parent))}"
    if root.resolve() != locales_dir().resolve():
        options += f" --locales {shlex.quote(str(root))}"
    return options


def _template_covers(questionnaire: Questionnaire, pot: Path) -> bool:
    """Whether the template exists and holds every text of the questionnaire as it is now
    (an unreadable template counts as present: ``init`` will report where it is broken)."""
    if not pot.exists():
        return False
    try:
        template = read_catalog(pot)
    except UnreadableCatalogError:
        return True
    return all(template.get(item.text, item.context) is not None
               for item in questionnaire.texts)
