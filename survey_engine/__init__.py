"""Survey engine core: questionnaires, their expression language, the interview engine and
localization. Imports nothing from ``dialer`` or ``results``."""

__version__ = "0.1.0"
