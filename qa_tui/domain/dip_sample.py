"""Dip samples: simple or stratified random samples of cases or evaluations, reproducible.

The draw is the moderation sample's (:func:`qa_tui.domain.sampling.draw`), extended to strata:
the frame's units are sorted by key (a case reference, an evaluation id), each in that order
takes the next number of ``random.Random(seed)``; a simple sample takes the ``size`` smallest
numbers, a stratified one the smallest in each stratum, the stratum's share of ``size`` being
proportional to its size (largest remainders, ties by stratum name). So a simple sample is
exactly what :func:`~qa_tui.domain.sampling.draw` gives (a test holds them together), and the
same frame and seed give the same sample on any database, any day. The frame's fingerprint (a
hash of its keys and strata) is kept, so a later redraw can say whether the frame changed.
"""

from __future__ import annotations

import hashlib
import heapq
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from qa_tui.errors import ValidationError

FRAMES = {"cases": "imported cases", "evaluations": "completed evaluations"}
STRATA_FIELDS = {
    "cases": ("service_area", "team", "category", "worker"),
    "evaluations": ("service_area", "team", "evaluation_type", "overall_grade", "template_id"),
}
MAX_SIZE = 5000


class Unit(NamedTuple):
    """One member of a frame: its key, the case it is about, and its stratum's value (a
    named tuple: a frame holds hundreds of thousands)."""

    key: str
    case_reference: str
    stratum: str = ""


@dataclass
class DipSample:
    """A drawn sample and everything needed to draw it again and explain it."""

    frame: str
    size: int
    seed: int
    frame_size: int
    strata_field: str
    where: dict[str, str]
    fingerprint: str
    strata: dict[str, tuple[int, int]] = field(default_factory=dict)  # value -> (in frame, drawn)
    drawn: list[Unit] = field(default_factory=list)
    hypothesis: str = ""

    def describe(self) -> str:
        """The sample in words, for the board: "20 of 1,204 imported cases (team Locality
        North), stratified by category, seed 4711"."""
        where = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(self.where.items()))
        text = f"{self.size} of {self.frame_size:,} {FRAMES[self.frame]}"
        if where:
            text += f" ({where})"
        if self.strata_field:
            text += f", stratified by {self.strata_field.replace('_', ' ')}"
        return f"{text}, seed {self.seed}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["strata"] = {k: list(v) for k, v in self.strata.items()}
        data["drawn"] = [[u.key, u.case_reference, u.stratum] for u in self.drawn]
        return data


def fingerprint(units: Sequence[Unit]) -> str:
    """A hash of the frame (its keys and strata), to tell whether it changed since a draw."""
    digest = hashlib.sha256()
    for unit in sorted(units):
        digest.update(f"{unit.key}\t{unit.stratum}\n".encode())
    return digest.hexdigest()[:16]


def shares(sizes: dict[str, int], size: int) -> dict[str, int]:
    """``size`` split over strata in proportion to their ``sizes`` (largest remainders; ties
    go to the stratum that sorts first), never more than a stratum holds."""
    total = sum(sizes.values())
    if total == 0:
        return dict.fromkeys(sizes, 0)
    exact = {k: size * n / total for k, n in sizes.items()}
    out = {k: int(x) for k, x in exact.items()}
    left = size - sum(out.values())
    order = sorted(sizes, key=lambda k: (-(exact[k] - out[k]), k))
    for k in order[:left]:
        out[k] += 1
    return out


def draw_sample(
    frame: str,
    units: Sequence[Unit],
    size: int,
    seed: int,
    strata_field: str = "",
    where: dict[str, str] | None = None,
    hypothesis: str = "",
) -> DipSample:
    """Draw ``size`` of ``units`` with ``seed`` (stratified when ``strata_field`` is given,
    each unit's ``stratum`` holding its value). A sample larger than its frame is refused."""
    if frame not in FRAMES:
        raise ValidationError(f"Frame: cases or evaluations, not {frame!r}", field="frame")
    if strata_field and strata_field not in STRATA_FIELDS[frame]:
        known = ", ".join(STRATA_FIELDS[frame])
        raise ValidationError(f"Strata: {strata_field!r} is not one of {known}", field="strata")
    if not 1 <= size <= MAX_SIZE:
        raise ValidationError(f"Sample size: from 1 to {MAX_SIZE:,}", field="size")
    if not 0 <= seed < 2**63:
        raise ValidationError("Seed: a whole number from 0", field="seed")
    where = dict(where or {})
    if size > len(units):
        shown = ", ".join(f"{k} {v}" for k, v in sorted(where.items()))
        raise ValidationError(
            f"Sample: {size} asked for, but the frame holds only {len(units):,} "
            f"{FRAMES[frame]}{' (' + shown + ')' if shown else ''}",
            field="size",
        )
    result = DipSample(frame, size, seed, len(units), strata_field, where, fingerprint(units))
    result.hypothesis = hypothesis
    rng = random.Random(seed)
    groups: dict[str, list[tuple[float, Unit]]] = {}
    # By key: the same order, and so the same numbers, as draw().
    for unit in sorted(units, key=itemgetter(0)):
        groups.setdefault(unit.stratum if strata_field else "", []).append((rng.random(), unit))
    wanted = shares({k: len(v) for k, v in groups.items()}, size)
    for stratum in sorted(groups):
        chosen = heapq.nsmallest(wanted[stratum], groups[stratum])
        if strata_field:
            result.strata[stratum] = (len(groups[stratum]), len(chosen))
        result.drawn.extend(unit for _number, unit in chosen)
    return result
