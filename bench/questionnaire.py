"""Benchmark the questionnaire engine.

1. Load and validate a generated 1,000-question questionnaire (YAML parse, structure,
   expressions, placeholders).
2. Run 10,000 random interviews through a generated 30-question questionnaire, with the
   full engine (validation of every answer, skip logic, rendering of each question as read
   aloud, JSON state at the end).
3. Baseline, measured in the same run: walking the same 10,000 answer sequences with the same
   conditions written as plain Python functions (no parsing, no validation, no rendering):
   the floor any engine evaluating these expressions would pay.

Usage: python bench/questionnaire.py [--interviews N] [--questions N] [--seed S]
"""

from __future__ import annotations

import argparse
import platform
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from survey_engine.expressions import MISSING
from survey_engine.i18n.catalog import source_wording
from survey_engine.interview import Interview
from survey_engine.questionnaire.loader import load

Condition = Callable[[dict[str, Any]], bool]


def _ge(value: Any, bound: int) -> bool:
    return value is not MISSING and isinstance(value, int) and value >= bound


def generate(count: int, rng: random.Random) -> tuple[str, list[tuple[str, str, Condition | None]]]:
    """YAML text of a questionnaire with ``count`` questions, and for each question its id,
    type and the plain-Python twin of its show_if."""
    lines = ["questionnaire: generated", "version: 1", "title: Generated benchmark",
             "source_language: en", "languages: [en]",
             "contact_fields:", "  first_name: {type: text}", "questions:"]
    plan: list[tuple[str, str, Condition | None]] = []
    kinds = ["scale", "yes_no", "multi_choice", "nps", "number", "text"]
    for index in range(count):
        ident = f"q{index}"
        kind = kinds[index % len(kinds)]
        lines += [f"  - id: {ident}", f"    type: {kind}",
                  f"    text: Question {index}, {{contact.first_name}}?"]
        if kind in ("scale", "multi_choice"):
            lines.append("    options: {1: One, 2: Two, 3: Three, 4: Four, 5: Five}")
        if kind == "number":
            lines += ["    integer: true", "    min: 0", "    max: 120"]
        if kind == "nps":
            lines.append("    allow: [dont_know]")
        condition: Condition | None = None
        earlier = [(i, kinds[i % len(kinds)]) for i in range(max(0, index - 12), index)]
        if earlier and rng.random() < 0.6:
            j, other = rng.choice(earlier)
            name = f"q{j}"
            if other == "scale":
                lines.append(f"    show_if: {name} >= 2")
                condition = (lambda n: lambda a: _ge(a.get(n, MISSING), 2))(name)
            elif other == "yes_no":
                lines.append(f"    show_if: {name} == yes or not answered({name})")
                condition = (lambda n: lambda a: a.get(n, MISSING) is True
                             or n not in a)(name)
            elif other == "multi_choice":
                lines.append(f"    show_if: 2 in {name} or count({name}) >= 3")
                condition = (lambda n: lambda a: (2 in a[n] or len(a[n]) >= 3)
                             if isinstance(a.get(n), frozenset) else False)(name)
            elif other == "nps":
                lines.append(f"    show_if: {name} <= 8 and {name} != dont_know")
                condition = (lambda n: lambda a: isinstance(a.get(n), int)
                             and a[n] <= 8)(name)
            elif other == "number":
                lines.append(f"    show_if: {name} > 10")
                condition = (lambda n: lambda a: _ge(a.get(n, MISSING), 11))(name)
        plan.append((ident, kind, condition))
    return "\n".join(lines) + "\n", plan


def random_answer(kind: str, rng: random.Random) -> Any:
    if kind == "scale":
        return rng.randint(1, 5)
    if kind == "yes_no":
        return rng.random() < 0.7
    if kind == "multi_choice":
        return rng.sample(range(1, 6), rng.randint(1, 3))
    if kind == "nps":
        return rng.randint(0, 10)
    if kind == "number":
        return rng.randint(0, 120)
    return "Some words"


def stored_value(kind: str, answer: Any) -> Any:
    return frozenset(answer) if kind == "multi_choice" else answer


def bench_load(count: int, rng: random.Random, repeat: int = 7) -> float:
    text, _ = generate(count, rng)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            questionnaire = load(path)
            timings.append(time.perf_counter() - start)
        assert len(questionnaire.questions) == count
    # the best run: on a shared machine, slower runs measure the neighbours, not the loader
    return min(timings)


def bench_interviews(questions: int, interviews: int, seed: int
                     ) -> tuple[float, float, float, int]:
    rng = random.Random(seed)
    text, plan = generate(questions, rng)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        questionnaire = load(path)
    wording = source_wording(questionnaire)
    scripts = [{ident: random_answer(kind, rng) for ident, kind, _ in plan}
               for _ in range(interviews)]

    asked = 0
    start = time.perf_counter()
    for number, answers in enumerate(scripts):
        interview = Interview.start(questionnaire, wording, {"first_name": "Ana"},
                                    seed=str(number))
        while (prompt := interview.current()) is not None:
            step = interview.answer(answers[prompt.question_id])
            assert step.accepted, step.message
            asked += 1
        interview.to_json()
    engine = time.perf_counter() - start

    start = time.perf_counter()
    for answers in scripts:
        values: dict[str, Any] = {}
        for ident, kind, condition in plan:
            if condition is None or condition(values):
                values[ident] = stored_value(kind, answers[ident])
    baseline = time.perf_counter() - start

    # The engine's own compiled expressions over the same walks: the expression language's
    # share of the engine's time, next to the plain-Python baseline.
    compiled = [(q.id, kind, q.show_if) for q, (_, kind, _) in
                zip(questionnaire.questions, plan, strict=True)]
    contact = {"first_name": "Ana"}
    start = time.perf_counter()
    for answers in scripts:
        values = {}
        for ident, kind, show_if in compiled:
            if show_if is None or show_if.holds(values, contact):
                values[ident] = stored_value(kind, answers[ident])
    expressions = time.perf_counter() - start
    return engine, baseline, expressions, asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--big", type=int, default=1_000, help="questions in the load test")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    load_seconds = bench_load(args.big, random.Random(args.seed))
    engine, baseline, expressions, asked = bench_interviews(args.questions, args.interviews,
                                                            args.seed)
    print(f"# bench/questionnaire.py on {platform.python_implementation()} "
          f"{platform.python_version()}, {platform.machine()}")
    print("| measure | result |")
    print("|---|---|")
    print(f"| load + validate {args.big}-question questionnaire (best of 7) | "
          f"{load_seconds * 1000:.0f} ms |")
    print(f"| engine: {args.interviews} interviews x {args.questions} questions | "
          f"{engine:.2f} s, {args.interviews / engine:,.0f} interviews/s, "
          f"{asked / engine:,.0f} answers/s |")
    print(f"| baseline: same conditions as plain Python functions | {baseline:.3f} s, "
          f"{args.interviews / baseline:,.0f} interviews/s |")
    print(f"| engine's compiled expressions alone, same walks | {expressions:.3f} s, "
          f"{args.interviews / expressions:,.0f} interviews/s "
          f"({expressions / baseline:.1f}x baseline) |")
    print(f"| full engine / baseline | {engine / baseline:.0f}x |")


if __name__ == "__main__":
    main()
