"""The interview engine: pure (no database, no clock), resumable from JSON."""

from survey_engine.interview.engine import Interview, Progress, Prompt, Step
from survey_engine.interview.state import InterviewState

__all__ = ["Interview", "InterviewState", "Progress", "Prompt", "Step"]
