"""``survey-engine i18n``: the translation workflow for questionnaires and the product.

One gettext domain per questionnaire (named after its slug) plus ``messages`` for the
product's own strings, laid out as ``locales/<lang>/LC_MESSAGES/<domain>.po``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from survey_engine.cli.common import (
    load_or_exit,
    locales_option,
    progress,
    questionnaire_files,
    resolve_locales,
)
from survey_engine.i18n import tools
from survey_engine.i18n.tools import Domain

questionnaires_option = click.option(
    "--questionnaires", "questionnaires_dir", type=click.Path(file_okay=False, path_type=Path),
    default=None, help="Folder of questionnaire files (default: the project's questionnaires/).")
domain_option = click.option("--domain", "domain_names", multiple=True,
                             help="Only this domain (questionnaire slug, or 'messages'); "
                                  "repeat for several.")
lang_option = click.option("--lang", "languages", multiple=True,
                           help="Only this language; repeat for several.")


def catalog_selection(command: Callable[..., None]) -> Callable[..., None]:
    """The options every per-catalog command takes: which questionnaires, domains, languages
    and catalogs directory."""
    for option in (locales_option, lang_option, domain_option, questionnaires_option):
        command = option(command)
    return command


def _domains(questionnaires_dir: Path | None, names: tuple[str, ...]) -> list[Domain]:
    only_messages = bool(names) and set(names) == {tools.messages_domain().name}
    files = [] if only_messages else questionnaire_files(questionnaires_dir)
    domains = [tools.messages_domain()]
    domains += [tools.questionnaire_domain(load_or_exit(path)) for path in files]
    if names:
        unknown = set(names) - {d.name for d in domains}
        if unknown:
            raise click.BadParameter(f"unknown domain(s): {', '.join(sorted(unknown))}",
                                     param_hint="--domain")
        domains = [d for d in domains if d.name in names]
    return domains


def _pairs(domains: list[Domain], languages: tuple[str, ...]) -> Iterator[tuple[Domain, str]]:
    for domain in domains:
        for language in domain.targets():
            if not languages or language in languages:
                yield domain, language


@click.group()
def i18n() -> None:
    """Extract, translate, compile and check gettext catalogs.

    \b
    The usual round:
      survey-engine i18n extract        # write locales/<domain>.pot from the sources
      survey-engine i18n init           # create missing locales/<lang>/LC_MESSAGES/*.po
      survey-engine i18n update         # merge new texts; changed ones become fuzzy
      (translate the .po files)
      survey-engine i18n check          # fails on empty, fuzzy, plural or placeholder faults
      survey-engine i18n compile        # write the .mo files the engine reads
    """


@i18n.command()
@questionnaires_option
@domain_option
@locales_option
def extract(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
            locales: Path | None) -> None:
    """Write a template (.pot) per questionnaire, and one for the product's messages."""
    root = resolve_locales(locales)
    domains = _domains(questionnaires_dir, domain_names)
    for domain in progress(domains, len(domains), "Extracting"):
        path = tools.extract(domain, root)
        click.echo(f"{path}: {len(tools.template_for(domain))} texts")


@i18n.command()
@catalog_selection
@click.option("--force", is_flag=True, help="Overwrite existing catalogs (translations lost).")
def init(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
         languages: tuple[str, ...], force: bool, locales: Path | None) -> None:
    """Create the catalogs (.po) that do not exist yet, with explicit Plural-Forms."""
    root = resolve_locales(locales)
    for domain, language in _pairs(_domains(questionnaires_dir, domain_names), languages):
        path = tools.init(domain, language, root, force)
        if path is not None:
            click.echo(f"created {path}")


@i18n.command()
@catalog_selection
def update(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
           languages: tuple[str, ...], locales: Path | None) -> None:
    """Merge each template into its catalogs: new texts appear, changed ones turn fuzzy."""
    root = resolve_locales(locales)
    for domain, language in _pairs(_domains(questionnaires_dir, domain_names), languages):
        path = tools.update(domain, language, root)
        if path is not None:
            click.echo(f"updated {path}")


@i18n.command("compile")
@catalog_selection
def compile_(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
             languages: tuple[str, ...], locales: Path | None) -> None:
    """Write the .mo files the engine reads (fuzzy and empty entries are left out)."""
    root = resolve_locales(locales)
    pairs = list(_pairs(_domains(questionnaires_dir, domain_names), languages))
    written = 0
    for domain, language in progress(pairs, len(pairs), "Compiling"):
        if tools.compile_catalog(domain, language, root) is not None:
            written += 1
    click.echo(f"compiled {written} catalogs into {root}")


@i18n.command()
@catalog_selection
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
def status(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
           languages: tuple[str, ...], as_json: bool, locales: Path | None) -> None:
    """Translated / fuzzy / missing counts per domain and language.

    Counted here, not by pybabel: a fuzzy entry, or a plural entry with an empty form, is
    not translated.
    """
    root = resolve_locales(locales)
    rows = [tools.status(domain, language, root)
            for domain, language in _pairs(_domains(questionnaires_dir, domain_names),
                                           languages)]
    if as_json:
        click.echo(json.dumps([{"domain": r.domain, "language": r.language,
                                "translated": r.translated, "fuzzy": r.fuzzy,
                                "missing": r.missing} for r in rows], indent=2))
        return
    width = max([len(r.domain) for r in rows] + [6])
    click.echo(f"{'domain':<{width}}  lang  translated  fuzzy  missing")
    for r in rows:
        click.echo(f"{r.domain:<{width}}  {r.language:<4}  {r.translated:>10}  {r.fuzzy:>5}  "
                   f"{r.missing:>7}")


@i18n.command()
@catalog_selection
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
def check(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
          languages: tuple[str, ...], as_json: bool, locales: Path | None) -> None:
    """Fail (exit 1) on missing catalogs or entries, empty or fuzzy entries, missing plural
    forms, a wrong Plural-Forms header, or placeholders that differ from the source."""
    root = resolve_locales(locales)
    problems = [problem for domain, language in
                _pairs(_domains(questionnaires_dir, domain_names), languages)
                for problem in tools.check(domain, language, root)]
    if as_json:
        click.echo(json.dumps([{"file": str(p.path), "line": p.line, "message": p.message}
                               for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem(s)", err=True)
    if problems:
        raise SystemExit(1)
