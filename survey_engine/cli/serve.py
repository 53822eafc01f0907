"""``survey-engine serve``: the web application on waitress, a production WSGI server.

Waitress is pure Python, multi-threaded in one process, and runs the same everywhere: one
process keeps one set of desks (and one simulated telephone network, with the ``sim``
backend) for all its requests, and SQLite has a single writer anyway. For many sites on
PostgreSQL, run several ``serve`` processes behind a reverse proxy (``[web] proxy_hops``).
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

import click

from survey_engine.cli.database import open_database

#: Open connections served at once. Waitress's own default, 100, stops accepting at 100: a
#: browser keeps its connections open between requests (up to six), so the 101st agent of a
#: centre waited until another one left (bench/web.py: 200 agents, half of them kept out of
#: the sign-in page for the whole run).
DEFAULT_CONNECTION_LIMIT = 2000


def serve_url(host: str, port: int) -> str:
    """The address to open in a browser."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0: every interface of this machine).")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 picks a free one (printed).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Requests handled at once.")
@click.option("--connection-limit", default=DEFAULT_CONNECTION_LIMIT, show_default=True,
              type=click.IntRange(1, 100_000),
              help="Connections kept open at once (each browser keeps some open between "
                   "requests); beyond it, new ones wait.")
@click.option("--insecure-cookies", is_flag=True,
              help="Send the session cookie over plain http (no Secure flag): only for a "
                   "demo or tests on loopback, never on a network.")
def serve(host: str, port: int, threads: int, connection_limit: int,
          insecure_cookies: bool) -> None:
    """Serve the web application: agent console, supervisor desk, client portal.

    The database must be migrated (survey-engine db upgrade). Settings are read from the
    [web] table of INSTANCE/config.toml (see docs/web.md). Behind a TLS-terminating proxy
    the session cookie is Secure; on plain http it is only sent with --insecure-cookies
    (or secure_cookies = false), and a warning says so. Stop with Ctrl-C.

    \b
    Examples:
      survey-engine serve
      survey-engine serve --host 0.0.0.0 --port 8443 --threads 16
      survey-engine serve --port 0 --insecure-cookies     # loopback demo, free port
    """
    open_database().dispose()  # one clear line if it is missing or not migrated
    server = web_server(host, port, threads, insecure_cookies=insecure_cookies,
                        connection_limit=connection_limit)
    click.echo(f"serving on {serve_url(host, server.effective_port)}")
    sys.stdout.flush()
    run_until_interrupted(server)
    click.echo("stopped")


def web_server(host: str, port: int, threads: int, *, insecure_cookies: bool,
               connection_limit: int = DEFAULT_CONNECTION_LIMIT) -> Any:
    """The web application on a waitress server bound to ``host:port`` (not running yet);
    the insecure-cookie warning printed when it applies.

    The sockets are watched with ``poll()``: waitress's default, ``select()``, cannot watch a
    descriptor numbered 1024 or more, fewer than the connection limit allows.
    """
    import waitress

    from survey_engine.web import INSECURE_COOKIES_WARNING, create_app

    app = create_app({"SECURE_COOKIES": False} if insecure_cookies else None)
    if not app.config["SECURE_COOKIES"]:
        click.secho(f"warning: {INSECURE_COOKIES_WARNING}", fg="yellow", err=True)
    return waitress.create_server(app, host=host, port=port, threads=threads,
                                  connection_limit=connection_limit, asyncore_use_poll=True,
                                  ident="survey-engine")


#: The signals that stop the server: Ctrl-C, and ``kill``'s default.
_STOPS = (signal.SIGINT, signal.SIGTERM)


def run_until_interrupted(server: Any) -> None:
    """Serve until Ctrl-C (waitress catches it and returns) or SIGTERM (``kill``, a service
    manager's stop, taken as Ctrl-C so that the caller's clean-up runs), then close the
    sockets.

    Both signals get the handler here: a process started in the background by a shell (``make
    demo &``, a CI script) inherits SIGINT ignored, and Python then leaves it ignored, so the
    SIGINT that the printed "Ctrl-C stops" promises would do nothing."""
    previous = {stop: signal.signal(stop, _interrupt) for stop in _STOPS}
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
        server.close()


def _interrupt(_signal: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt
