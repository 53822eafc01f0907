"""What a simulation counted, and its report per language.

Per interview language: attempts, completes, AAPOR disposition counts (every attempt's code,
and the final codes of settled contacts), refused dials by reason, and the occupancy of the
agents who speak it (time on calls over time on shift). The backlog is the most contacts that
were callable at once but waited because no agent on shift spoke their language (sampled every
quarter of an hour of simulated time); ``waiting`` counts the contacts still waiting at the end.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LanguageTally:
    """Counts for one interview language."""

    attempts: int = 0
    completes: int = 0
    complete_seconds: float = 0.0
    codes: Counter[str] = field(default_factory=Counter)
    final_codes: Counter[str] = field(default_factory=Counter)
    refused_dials: Counter[str] = field(default_factory=Counter)
    agents: int = 0
    busy: dt.timedelta = dt.timedelta(0)
    on_shift: dt.timedelta = dt.timedelta(0)

    @property
    def occupancy(self) -> float:
        """Share of the speakers' shift time spent on calls (0 to 1)."""
        seconds = self.on_shift.total_seconds()
        return 0.0 if seconds == 0 else self.busy.total_seconds() / seconds


@dataclass
class Tally:
    """Everything a simulation counted, by language."""

    languages: dict[str, LanguageTally] = field(
        default_factory=lambda: defaultdict(LanguageTally))
    waiting: dict[str, int] = field(default_factory=dict)
    backlog: dict[str, int] = field(default_factory=dict)
    agents: int = 0

    def attempt(self, language: str) -> None:
        self.languages[language].attempts += 1

    def refused(self, language: str, reason: str) -> None:
        self.languages[language].refused_dials[reason] += 1

    def decided(self, language: str, code: str, final: bool) -> None:
        tally = self.languages[language]
        tally.codes[code] += 1
        if final:
            tally.final_codes[code] += 1

    def complete(self, language: str, length: dt.timedelta) -> None:
        tally = self.languages[language]
        tally.completes += 1
        tally.complete_seconds += length.total_seconds()

    def add_agent(self, code: str, languages: frozenset[str], busy: dt.timedelta,
                  on_shift: dt.timedelta) -> None:
        """Count an agent's time towards every language they speak."""
        self.agents += 1
        for language in languages:
            tally = self.languages[language]
            tally.agents += 1
            tally.busy += busy
            tally.on_shift += on_shift

    def sample_backlog(self, callable_without_speaker: dict[str, int]) -> None:
        """Record one sample of the contacts callable with no speaker on shift."""
        for language, count in callable_without_speaker.items():
            self.backlog[language] = max(self.backlog.get(language, 0), count)

    @property
    def total_completes(self) -> int:
        return sum(tally.completes for tally in self.languages.values())

    @property
    def total_attempts(self) -> int:
        return sum(tally.attempts for tally in self.languages.values())

    def rows(self) -> list[dict[str, Any]]:
        """One row per language, sorted, ready to print or dump as JSON."""
        rows = []
        backlog = self.backlog
        for language in sorted(set(self.languages) | set(self.waiting) | set(backlog)):
            tally = self.languages[language]
            mean = tally.complete_seconds / tally.completes if tally.completes else 0.0
            rows.append({
                "language": language, "agents": tally.agents, "attempts": tally.attempts,
                "completes": tally.completes, "mean_complete_minutes": round(mean / 60, 1),
                "occupancy": round(tally.occupancy, 3),
                "waiting": self.waiting.get(language, 0),
                "backlog": backlog.get(language, 0),
                "codes": dict(sorted(tally.codes.items())),
                "final_codes": dict(sorted(tally.final_codes.items())),
                "refused_dials": dict(sorted(tally.refused_dials.items()))})
        return rows
