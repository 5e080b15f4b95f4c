"""How well the address resolver does on a labelled set (docs/address-labelled.csv)."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .geo import resolve

LABELLED = Path(__file__).resolve().parents[1] / "docs" / "address-labelled.csv"

# Outcomes of one address.
RIGHT = "right"  # the labelled street, resolved alone
OFFERED = "offered"  # several candidates, the right one among them: the agent chooses
WRONG = "wrong"  # another street, resolved alone: the worst case (sent to the wrong unit)
UNRESOLVED = "unresolved"  # no street: the dispatcher decides
HELD_BACK = "held_back"  # an ambiguous address left without a street, as it should be


@dataclass
class Evaluation:
    rows: int = 0
    outcomes: Counter = field(default_factory=Counter)
    by_form: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    district_right: int = 0
    district_labelled: int = 0
    mistakes: list[tuple[str, str, str]] = field(default_factory=list)  # address, expected, got

    def share(self, *outcomes: str) -> float:
        labelled = self.rows - self.by_form_total("ambiguous")
        return sum(self.outcomes[o] for o in outcomes) / labelled if labelled else 0.0

    def by_form_total(self, form: str) -> int:
        return sum(self.by_form[form].values())


def evaluate(path: Path = LABELLED) -> Evaluation:
    result = Evaluation()
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            result.rows += 1
            got = resolve(row["address"])
            expected = row["street_code"].strip()
            if not expected:
                outcome = HELD_BACK if got.street is None else WRONG
            elif got.street is not None:
                outcome = RIGHT if got.street.code == expected else WRONG
            elif any(u.code == expected for u in got.candidates):
                outcome = OFFERED
            else:
                outcome = UNRESOLVED
            if expected:
                result.outcomes[outcome] += 1
            result.by_form[row["form"]][outcome] += 1
            if row["district_code"].strip():
                result.district_labelled += 1
                result.district_right += bool(got.district and got.district.code == row["district_code"].strip())
            if outcome in (WRONG, UNRESOLVED):
                shown = got.street.code if got.street else ",".join(u.code for u in got.candidates) or "—"
                result.mistakes.append((row["address"], expected or "(ambiguous)", shown))
    return result


def markdown(result: Evaluation) -> str:
    lines = [
        f"Addresses: {result.rows} ({result.rows - result.by_form_total('ambiguous')} with a labelled street, "
        f"{result.by_form_total('ambiguous')} deliberately ambiguous).",
        "",
        "| outcome | share of labelled addresses |",
        "|---|---|",
        f"| street right, resolved alone | {result.share(RIGHT):.1%} |",
        f"| right street among the candidates offered (agent chooses) | {result.share(OFFERED):.1%} |",
        f"| no street (dispatcher decides) | {result.share(UNRESOLVED):.1%} |",
        f"| **wrong street resolved alone** | {result.share(WRONG):.1%} |",
        "",
        f"District right: {result.district_right / max(result.district_labelled, 1):.1%} "
        f"of {result.district_labelled} addresses with a labelled district.",
        "",
        "| form | addresses | right | offered | unresolved | wrong | held back |",
        "|---|---|---|---|---|---|---|",
    ]
    for form in sorted(result.by_form):
        c = result.by_form[form]
        lines.append(
            f"| {form} | {sum(c.values())} | {c[RIGHT]} | {c[OFFERED]} | {c[UNRESOLVED]} | {c[WRONG]} | {c[HELD_BACK]} |"
        )
    return "\n".join(lines)
