"""One mapping of the partner API's refusals to JSON: ``{"code": ..., "message": ...}``
with the HTTP status of the code (:data:`STATUS_OF_CODE`). The code is stable and is what
programs test; the message is for people, in the language of ``Accept-Language`` when the
product has it (English otherwise).

Every path under ``/api/`` answers in JSON, including paths that match no route (404) and
methods a route does not take (405): the HTML error pages are for browsers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers.response import Response

from dialer.errors import DialerError, NotFound

logger = logging.getLogger(__name__)

PREFIX = "/api/"
#: The realm named in ``WWW-Authenticate`` when a token is missing or refused.
CHALLENGE = 'Bearer realm="survey-engine partner API"'

#: HTTP status by error code; any other domain refusal is 409.
STATUS_OF_CODE = {
    "token_missing": 401, "token_invalid": 401, "token_revoked": 401, "token_expired": 401,
    "bad_request": 400, "bad_cursor": 400, "bad_limit": 400,
    "not_found": 404, "campaign_not_found": 404, "method_not_allowed": 405,
    "rate_limited": 429, "server_error": 500,
}
#: Codes of the HTTP errors werkzeug raises.
CODE_OF_STATUS = {400: "bad_request", 404: "not_found", 405: "method_not_allowed",
                  429: "rate_limited"}
MESSAGES = {
    "token_missing": _l("Send your partner token in the header Authorization: Bearer TOKEN."),
    "token_invalid": _l("This partner token is not known."),
    "token_revoked": _l("This partner token has been revoked."),
    "token_expired": _l("This partner token has expired."),
    "bad_request": _l("The request is not valid."),
    "campaign_not_found": _l("There is no such campaign for this token."),
    "not_found": _l("There is no such resource in the partner API."),
    "method_not_allowed": _l("This resource cannot be used with this method."),
    "rate_limited": _l("Too many requests: wait before asking again (see Retry-After)."),
    "server_error": _l("The request could not be carried out."),
}


class ApiError(Exception):
    """A refusal of the partner API, by code; ``detail`` adds to the code's message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def message_of(code: str, fallback: str = "") -> str:
    """The message for ``code`` in the reader's language (``fallback`` for other codes)."""
    known = MESSAGES.get(code)
    return str(known) if known is not None else fallback or str(MESSAGES["server_error"])


def error_response(code: str, detail: str = "", status: int | None = None,
                   headers: Mapping[str, str] | None = None) -> Response:
    """The JSON answer for a refusal."""
    message = message_of(code, detail)
    if detail and code in MESSAGES:
        message = f"{message} {detail}"
    response = jsonify(code=code, message=message)
    response.status_code = status or STATUS_OF_CODE.get(code, 409)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    response.headers.update(dict(headers or {}))
    return response


def _api_error(error: ApiError) -> Response:
    logger.info("partner API refused %s: %s", request.path, error.code)
    return error_response(error.code, error.detail)


def _domain_error(error: DialerError) -> Response:
    status = 404 if isinstance(error, NotFound) else STATUS_OF_CODE.get(error.code, 409)
    if error.code in MESSAGES:  # the API's own words, in the reader's language
        return error_response(error.code, status=status)
    return error_response(error.code, error.message, status)


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code = CODE_OF_STATUS.get(status, "server_error" if status >= 500 else "bad_request")
    if status >= 500:
        logger.error("partner API failed on %s", request.path, exc_info=error)
    headers = dict(error.get_headers()) if status in (405, 429) else {}
    headers.pop("Content-Type", None)
    return error_response(code, status=status, headers=headers)


def register(bp: Blueprint) -> None:
    """Answer the blueprint's refusals in JSON (once, when the blueprint is built)."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(DialerError, _domain_error)
    bp.register_error_handler(HTTPException, _http_error)


def install(app: Flask) -> None:
    """Answer errors under ``/api/`` that reach no route of the blueprint (404, 405) in JSON
    too; other paths keep the application's error pages."""
    pages: Callable[[Any], Any] | None = app.error_handler_spec[None][None].get(HTTPException)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        if request.path.startswith(PREFIX):
            return _http_error(error)
        return pages(error) if pages is not None else error
