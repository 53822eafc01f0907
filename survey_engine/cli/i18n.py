"""``survey-engine i18n``: the translation workflow for questionnaires and the product.

One gettext domain per questionnaire (named after its slug) plus ``messages`` for the
product's own strings, laid out as ``locales/<lang>/LC_MESSAGES/<domain>.po``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NoReturn

import click
from babel.core import UnknownLocaleError

from survey_engine.cli.common import (
    load_or_exit,
    locales_option,
    progress,
    questionnaire_files,
    resolve_locales,
)
from survey_engine.errors import CatalogError
from survey_engine.i18n import checks, tools
from survey_engine.i18n.languages import locale_of
from survey_engine.i18n.paths import po_path
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


def _pairs(domains: list[Domain], languages: tuple[str, ...]) -> list[tuple[Domain, str]]:
    """The (domain, language) catalogs selected; every ``--lang`` must be a target of at
    least one selected domain.

    :raises click.BadParameter: for a code that is no language at all.
    :raises CatalogError: for a language none of the selected domains is translated into.
    """
    for language in languages:
        if not any(language in domain.targets() for domain in domains):
            _refuse_language(domains, language)
    return [(domain, language) for domain in domains for language in domain.targets()
            if not languages or language in languages]


def _refuse_language(domains: list[Domain], language: str) -> NoReturn:
    try:
        locale_of(language)
    except (ValueError, UnknownLocaleError):
        raise click.BadParameter(f"{language!r} is not a language code", param_hint="--lang"
                                 ) from None
    if len(domains) == 1:
        domain = domains[0]
        offered = ", ".join(f"{code} (source)" if code == domain.source_language else code
                            for code in domain.languages)
        why = "is the source language of" if language == domain.source_language else \
            "is not offered by"
        raise CatalogError(f"{language!r} {why} {domain.name}, so it has no catalog "
                           f"(offered: {offered})", code="language_not_offered")
    targets = sorted({code for domain in domains for code in domain.targets()})
    raise CatalogError(f"none of the selected domains has a catalog in {language!r} "
                       f"(catalog languages: {', '.join(targets)}); a questionnaire is "
                       "translated into the languages it lists, and the product's own "
                       "messages into those of survey_engine/i18n/languages.py, where a new "
                       "language gets its territory and plural rule",
                       code="language_not_offered")


def _nothing_to_do(pairs: list[tuple[Domain, str]]) -> bool:
    """Say so when the selection holds no catalog (domains only in their source language)."""
    if not pairs:
        click.echo("nothing to do: the selected domains are only in their source language")
    return not pairs


def _for_each_catalog(pairs: Iterable[tuple[Domain, str]],
                      work: Callable[[Domain, str], None]) -> list[str]:
    """Do ``work`` on every selected catalog, going on past the ones it refuses; return
    the refusals."""
    errors: list[str] = []
    for domain, language in pairs:
        try:
            work(domain, language)
        except CatalogError as error:
            errors.append(error.message)
    return errors


def _failed(errors: list[str]) -> None:
    """Print each refusal once (a broken template refuses every language) and exit 1 if
    there were any."""
    for message in dict.fromkeys(errors):
        click.echo(f"error: {message}", err=True)
    if errors:
        raise SystemExit(1)


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
    """Write a template (.pot) per questionnaire, and one for the product's messages.

    \b
    Examples:
      survey-engine i18n extract
      survey-engine i18n extract --domain market-study
      survey-engine i18n extract --domain messages
    """
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
    """Create the catalogs (.po) that do not exist yet, with explicit Plural-Forms.

    Existing catalogs are kept (merge new texts into them with 'i18n update'). A --lang
    that the selected questionnaires do not offer is refused (exit 1).

    \b
    Examples:
      survey-engine i18n init
      survey-engine i18n init --lang tr --domain market-study
      survey-engine i18n init --questionnaires ~/surveys --locales ~/surveys/locales
    """
    root = resolve_locales(locales)
    pairs = _pairs(_domains(questionnaires_dir, domain_names), languages)
    if _nothing_to_do(pairs):
        return

    def create(domain: Domain, language: str) -> None:
        path = tools.init(domain, language, root, force)
        if path is not None:
            click.echo(f"created {path}")
        else:
            click.echo(f"kept {po_path(root, language, domain.name)} (exists; 'survey-engine "
                       "i18n update' merges new texts, --force starts it over)")

    _failed(_for_each_catalog(pairs, create))


@i18n.command()
@catalog_selection
def update(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
           languages: tuple[str, ...], locales: Path | None) -> None:
    """Merge each template into its catalogs: new texts appear, changed ones turn fuzzy.

    A catalog that cannot be read is left as it is and reported (exit 1).

    \b
    Examples:
      survey-engine i18n extract && survey-engine i18n update
      survey-engine i18n update --lang ru --domain customer-satisfaction
    """
    root = resolve_locales(locales)
    pairs = _pairs(_domains(questionnaires_dir, domain_names), languages)
    if _nothing_to_do(pairs):
        return

    def merge(domain: Domain, language: str) -> None:
        path = tools.update(domain, language, root)
        if path is not None:
            click.echo(f"updated {path}")
        else:
            click.echo(f"skipped {po_path(root, language, domain.name)}: no catalog yet "
                       f"(create it with 'survey-engine i18n init --lang {language} "
                       f"--domain {domain.name}')")

    _failed(_for_each_catalog(pairs, merge))


@i18n.command("compile")
@catalog_selection
def compile_(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
             languages: tuple[str, ...], locales: Path | None) -> None:
    """Write the .mo files the engine reads (fuzzy and empty entries are left out).

    A .po that cannot be read is refused (no .mo written; exit 1). Translations whose
    placeholders differ from the source are compiled with a warning: the engine refuses to
    field such a catalog until 'i18n check' passes.

    \b
    Examples:
      survey-engine i18n check && survey-engine i18n compile
      survey-engine i18n compile --lang tr --domain market-study
    """
    root = resolve_locales(locales)
    pairs = _pairs(_domains(questionnaires_dir, domain_names), languages)
    outcomes: list[bool] = []  # per catalog: written, or skipped for want of a .po

    def write(domain: Domain, language: str) -> None:
        compiled = tools.compile_catalog(domain, language, root)
        outcomes.append(compiled is not None)
        for fault in compiled.faults if compiled else ():
            click.echo(f"warning: {fault} (fielding refused until fixed)", err=True)

    errors = _for_each_catalog(progress(pairs, len(pairs), "Compiling"), write)
    skipped = outcomes.count(False)
    note = f", {skipped} without a .po skipped" if skipped else ""
    click.echo(f"compiled {outcomes.count(True)} catalogs into {root}{note}")
    _failed(errors)


@i18n.command()
@catalog_selection
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
def status(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
           languages: tuple[str, ...], as_json: bool, locales: Path | None) -> None:
    """Translated / fuzzy / missing counts per domain and language.

    Counted here, not by pybabel: a fuzzy entry, or a plural entry with an empty form, is
    not translated. A catalog that cannot be read is shown as unreadable, with where and
    why ('i18n check' fails on it).

    \b
    Examples:
      survey-engine i18n status
      survey-engine i18n status --lang tr
      survey-engine i18n status --json | jq '.[] | select(.missing > 0)'
    """
    root = resolve_locales(locales)
    rows = [checks.status(domain, language, root)
            for domain, language in _pairs(_domains(questionnaires_dir, domain_names),
                                           languages)]
    if as_json:
        click.echo(json.dumps([{"domain": r.domain, "language": r.language,
                                "translated": r.translated, "fuzzy": r.fuzzy,
                                "missing": r.missing, "unreadable": r.unreadable}
                               for r in rows], ensure_ascii=False, indent=2))
        return
    width = max([len(r.domain) for r in rows] + [6])
    click.echo(f"{'domain':<{width}}  lang  translated  fuzzy  missing")
    for r in rows:
        counts = f"unreadable: {r.unreadable}" if r.unreadable else \
            f"{r.translated:>10}  {r.fuzzy:>5}  {r.missing:>7}"
        click.echo(f"{r.domain:<{width}}  {r.language:<4}  {counts}")


@i18n.command()
@catalog_selection
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
def check(questionnaires_dir: Path | None, domain_names: tuple[str, ...],
          languages: tuple[str, ...], as_json: bool, locales: Path | None) -> None:
    """Fail (exit 1) on missing or unreadable catalogs, missing entries, empty or fuzzy
    entries, missing plural forms, a wrong Plural-Forms header, placeholders that differ
    from the source, or malformed braces. Each problem is printed as FILE:LINE: message.

    \b
    Examples:
      survey-engine i18n check
      survey-engine i18n check --lang sq --domain customer-satisfaction
      survey-engine i18n check --json | jq -r '.[].message'
    """
    root = resolve_locales(locales)
    problems = [problem for domain, language in
                _pairs(_domains(questionnaires_dir, domain_names), languages)
                for problem in checks.check(domain, language, root)]
    if as_json:
        click.echo(json.dumps([{"file": str(p.path), "line": p.line, "message": p.message}
                               for p in problems], ensure_ascii=False, indent=2))
    else:
        for problem in problems:
            click.echo(str(problem))
        click.echo(f"{len(problems)} problem(s)", err=True)
    if problems:
        raise SystemExit(1)
