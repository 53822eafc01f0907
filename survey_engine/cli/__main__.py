"""``python -m survey_engine.cli``: the same as the ``survey-engine`` command."""

from survey_engine.cli import main

main()
