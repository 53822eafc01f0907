"""How large a request body each route takes. Every form is held to ``MAX_CONTENT_LENGTH``
(2 MiB); a route that takes a larger file says so with :func:`body_limit`, naming the setting
that gives its limit. The limit is known before the body is read (the CSRF check reads the
form first), so a body too large is refused with 413 before anything reads it.

    @bp.post("/campaigns/<int:campaign_id>/contacts")
    @allow(*CLIENTS, owns=campaign_of_client)
    @body_limit("MAX_CONTACTS_UPLOAD")
    def contacts(campaign_id: int) -> Response: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Request, current_app

F = TypeVar("F", bound=Callable[..., Any])
#: The attribute :func:`body_limit` sets on a view: the name of its setting.
LIMIT = "body_limit_setting"


def body_limit(setting: str) -> Callable[[F], F]:
    """Let the view take bodies up to the application setting ``setting`` (bytes)."""
    def mark(view: F) -> F:
        setattr(view, LIMIT, setting)
        return view
    return mark


class LimitedRequest(Request):
    """A request whose body limit is its route's (:func:`body_limit`), else the
    application's."""

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        if current_app and self.endpoint is not None:
            setting = getattr(current_app.view_functions.get(self.endpoint), LIMIT, None)
            if setting is not None:
                limit: int = current_app.config[setting]
                return limit
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value
