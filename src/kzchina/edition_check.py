"""The editor's view of an edition in `report check`: what is still last year's, what fails.

- rows still carried over from the previous edition (warnings, file by file);
- claims the chapters declare that the data cannot check and the editor has not confirmed for
  this edition (warnings: `confirmedClaims` in datapackage.json);
- claims the chapters declare that no longer hold (errors, at the chapter's file and line).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kzchina.claims import FAILS, REGISTRY, UNVERIFIABLE, declarations, evaluate
from kzchina.data import load
from kzchina.editions import CONFIRMED_CLAIMS, CarriedOver, carried_over, confirmed_claims
from kzchina.problems import Problem


@dataclass
class EditionReview:
    """Carried-over rows, claims to confirm and failing claims of one edition."""

    edition: str
    descriptor: str
    carried: list[CarriedOver] = field(default_factory=list)
    to_confirm: list[tuple[str, str, list[tuple[str, int]]]] = field(default_factory=list)
    failing: list[Problem] = field(default_factory=list)
    checked: int = 0
    unverifiable: int = 0

    def warnings(self) -> list[str]:
        """Say what the editor must still update or confirm."""
        lines = [c.warning() for c in self.carried]
        for claim_id, statement, where in self.to_confirm:
            at = ", ".join(f"{f}:{n}" for f, n in where)
            lines.append(
                f"{self.descriptor}: warning: claim '{claim_id}' cannot be checked "
                f'against the data; confirm that "{statement}" still holds ({at}), '
                f"then add it to {CONFIRMED_CLAIMS}"
            )
        return lines

    def summary(self) -> str:
        """One line: claim counts and what remains to update."""
        rows = sum(len(c.rows) for c in self.carried)
        return (
            f"edition {self.edition}: {self.checked} claims checked against the data, "
            f"{self.unverifiable} unverifiable ({len(self.to_confirm)} to confirm); "
            f"{rows} rows still carried over"
        )


def edition_review(edition: str | None, root: Path | str) -> EditionReview:
    """Review an edition's carried-over rows and the claims its chapters declare."""
    root = Path(root).resolve()
    ds = load(edition, root)
    review = EditionReview(
        ds.edition, ds.descriptor_path.relative_to(root).as_posix(), carried=carried_over(ds)
    )
    confirmed = confirmed_claims(ds)
    for claim_id, where in sorted(declarations(root).items()):
        spec = REGISTRY.get(claim_id)
        if spec is None:
            for path, line in where:
                review.failing.append(
                    Problem(path, line, None, f"unknown claim {claim_id!r}", "unknown-claim")
                )
            continue
        result = evaluate(claim_id, ds)
        if result.status == UNVERIFIABLE:
            review.unverifiable += 1
            if claim_id not in confirmed:
                review.to_confirm.append((claim_id, spec.statement, where))
            continue
        review.checked += 1
        if result.status == FAILS:
            for path, line in where:
                review.failing.append(
                    Problem(
                        path,
                        line,
                        None,
                        f"claim '{claim_id}' no longer holds: \"{spec.statement}\"; data: "
                        f"{result.evidence}",
                        "claim-failed",
                    )
                )
    return review
