"""Domain errors of the dialer: a stable ``code`` for programs and tests, a message for people.

The CLI maps every :class:`DialerError` to one clear line and exit code 1; the web layer will map
them to HTTP responses in one place.
"""

from __future__ import annotations


class DialerError(Exception):
    """A refused dialer operation. ``code`` is stable; the message may change."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class IllegalStateChange(DialerError):
    """A campaign was asked to move to a state it cannot reach from where it is."""


class NotFound(DialerError):
    """A record named by its code does not exist."""


class ImportRefused(DialerError):
    """A contact file was refused as a whole; nothing was stored."""
