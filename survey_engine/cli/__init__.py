"""The ``survey-engine`` command line: one group per domain, each command a thin wrapper
over an operation. Every :class:`~survey_engine.errors.EngineError` becomes one clear
message on standard error and exit status 1; usage errors exit with 2."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from dialer.errors import DialerError
from survey_engine import __version__
from survey_engine.errors import EngineError


class EngineGroup(click.Group):
    """A click group that turns engine errors into a clean exit instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (EngineError, DialerError) as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(1)


@click.group(cls=EngineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="survey-engine")
@click.option("-v", "--verbose", is_flag=True, help="Log what is being done.")
def main(verbose: bool) -> None:
    """Author, translate and test questionnaires for a sealed, multilingual call centre.

    \b
    Typical session:
      survey-engine validate questionnaires/*.yaml
      survey-engine interview test questionnaires/market-study.yaml \\
          questionnaires/market-study.interviews.yaml --lang tr
      survey-engine interview run questionnaires/customer-satisfaction.yaml --lang ru
      survey-engine i18n extract && survey-engine i18n update && survey-engine i18n check
      survey-engine db upgrade
      survey-engine centre load samples/centre.yaml
      survey-engine contacts import CAMPAIGN contacts.csv --reject-report rejected.csv
      survey-engine campaigns start CAMPAIGN && survey-engine campaigns list
      survey-engine dispatch next AGENT --at 2026-11-24T02:00+01:00 --count 3
      survey-engine dispatch next AGENT
      survey-engine simulate --campaign CAMPAIGN --days 1
      survey-engine trace verify
      survey-engine serve                 # the web application
      survey-engine worker                # the dialer, beside it
      survey-engine dialing stop --reason "..."
      survey-engine results export CAMPAIGN --format sav --lang fr
      survey-engine results rates CAMPAIGN --by language
      survey-engine results report CAMPAIGN
      survey-engine api token create "Partner" --campaign CAMPAIGN

    Run any command with --help for its options and examples.
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


def _register() -> None:
    from survey_engine.cli import (
        api,
        calls,
        campaigns,
        centre,
        contacts,
        db,
        demo,
        dialing,
        dispatch,
        i18n,
        interview,
        results,
        serve,
        simulate,
        trace,
        users,
        validate,
    )

    main.add_command(validate.validate)
    main.add_command(interview.interview)
    main.add_command(i18n.i18n)
    main.add_command(demo.demo)
    main.add_command(db.db)
    main.add_command(centre.centre)
    main.add_command(contacts.contacts)
    main.add_command(campaigns.campaigns)
    main.add_command(dispatch.dispatch)
    main.add_command(trace.trace)
    main.add_command(calls.calls)
    main.add_command(simulate.simulate)
    main.add_command(serve.serve)
    main.add_command(dialing.dialing)
    main.add_command(dialing.worker)
    main.add_command(users.users)
    main.add_command(results.results)
    main.add_command(api.api)


_register()
