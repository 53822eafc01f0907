"""Survey engine core: questionnaires, their expression language, the interview engine and
localization. The core imports nothing from ``dialer`` or ``results``; only the composing
layers (``survey_engine.cli``, later the web application) reach across (tests/test_layering.py)."""

__version__ = "0.1.0"
