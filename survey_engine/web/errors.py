"""One mapping from errors to HTTP responses: domain errors by their stable code, HTTP errors
by their status, a form whose CSRF token is missing or wrong as 400. Each is shown as a page
in the reader's interface language, never with a traceback."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from dialer.errors import DialerError, NotFound
from survey_engine.errors import EngineError

logger = logging.getLogger(__name__)

#: HTTP status of a domain error, by code; other refusals are 409 (the request conflicts
#: with the state of the call, the interview or the campaign).
STATUS_OF_CODE = {
    "agent_unknown": 404, "no_such_attempt": 404, "no_interview": 404,
    "off_shift": 403, "not_allowed": 403,
    "bad_ending": 422, "appointment_outside_window": 422, "answer_refused": 422,
    "label_language": 422, "report_language": 422,
}


def status_of(error: DialerError | EngineError) -> int:
    """The HTTP status a domain error is answered with."""
    if isinstance(error, NotFound):
        return 404
    return STATUS_OF_CODE.get(error.code, 409)


def register_error_pages(app: Flask) -> None:
    """Install the mapping on ``app``."""

    @app.errorhandler(CSRFError)
    def csrf_refused(error: CSRFError) -> tuple[str, int]:
        return render_template("error.html", status=400, title=_("Form expired"),
                               message=_("This form was sent without a valid security token "
                                         "(it may have been open too long). Reload the page "
                                         "and try again.")), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return render_template("error.html", status=status, title=_title(status),
                               message=_message(status)), status

    @app.errorhandler(DialerError)
    @app.errorhandler(EngineError)
    def domain_error(error: DialerError | EngineError) -> tuple[str, int]:
        status = status_of(error)
        logger.info("refused with %s: %s", status, error.code)
        return render_template("error.html", status=status, title=_title(status),
                               message=error.message, code=error.code), status


def _title(status: int) -> str:
    titles = {400: _("Bad request"), 401: _("Please sign in"), 403: _("Not allowed"),
              404: _("Not found"), 405: _("Not allowed"), 409: _("Not possible now"),
              413: _("File too large"), 422: _("Not accepted"), 429: _("Too many attempts")}
    return str(titles.get(status, _("Something went wrong")))


def _message(status: int) -> str:
    messages = {401: _("Sign in to continue."),
                403: _("You may not open this page."),
                404: _("There is no such page, or it is not yours to see."),
                405: _("This page cannot be used that way."),
                413: _("The file sent is larger than this page takes. Send a smaller file, or "
                       "several.")}
    return str(messages.get(status, _("The request could not be carried out.")))
