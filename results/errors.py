"""Errors of the results package: a stable ``code`` and a message for people.

:class:`ResultsError` is a :class:`~dialer.errors.DialerError`, so the CLI prints it as one line
and exits 1, as it does for the dialer's refusals.
"""

from __future__ import annotations

from dialer.errors import DialerError


class ResultsError(DialerError):
    """A refused results operation (bad language, unknown format, unwritable output...)."""
