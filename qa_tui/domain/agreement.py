"""Agreement statistics, headless: how consistently "what good looks like" is judged.

Two chance-corrected measures on the ordinal grading scale, each with the number of
judgements it rests on, a 95 % interval and a reading in plain words:

* **Weighted Cohen's kappa** between the auditor's grade and the group's agreed grade, with
  *linear* weights (a disagreement of two grades counts twice one of one grade). Linear rather
  than quadratic because on a four-grade scale most moderated disagreements are one grade
  apart: quadratic weights count such a step as 1/9 of the worst disagreement, so kappa would
  look high exactly when auditors are consistently one grade generous — the pattern moderation
  exists to find. Linear weights also match how the report speaks (in grade steps).
* **Krippendorff's alpha (ordinal)** among the moderators' blind grades (two or more on an
  item), with Krippendorff's ordinal metric, from the coincidence matrix (the published
  formula, vectorised so that a report can compute it for a thousand groups; checked equal to
  the ``krippendorff`` package in tests).

Grades are passed in as positions on the scale (0 = the lowest grade, ``k - 1`` the highest);
"not applicable" is never a position: callers count it apart.

**Intervals** resample evaluations, not single judgements (the judgements of one evaluation are
not independent: one auditor, one case). Up to :data:`BOOTSTRAP_UP_TO` evaluations: a cluster
bootstrap, :data:`REPLICATES` resamples from a generator seeded with :data:`SEED` (so the same
judgements always give the same interval), the 2.5th to 97.5th percentile. Above that, where a
bootstrap of every group would take seconds, the value ± 1.96 standard errors from the
delete-one-evaluation jackknife (deterministic; for many evaluations it agrees with the
bootstrap — a test checks it). With fewer than :data:`MIN_CLUSTERS` evaluations there is no
interval.

**Too little data**: fewer than :data:`MIN_PAIRS` judgements, or no variation (every grade the
same, so chance agreement is total), gives no number but the reason and the count — never a
misleading number, a NaN or a division error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from qa_tui.domain.agreement_math import (
    ALPHA,
    BOOTSTRAP_UP_TO,
    KAPPA,
    MIN_CLUSTERS,
    MIN_PAIRS,
    REPLICATES,
    SEED,
    IntArray,
    Matrix,
    _alpha_many,
    _Blocks,
    _blocks,
    _bootstrap,
    _from_features,
    _intervals,
    _jackknife_interval,
    _percentile_interval,
    _statistic,
    alpha_features,
    alpha_ordinal,
    feature_columns,
    kappa_features,
    linear_weights,
    unit_coincidences,
    weighted_kappa,
)

__all__ = [
    "ALPHA",
    "BOOTSTRAP_UP_TO",
    "KAPPA",
    "MIN_CLUSTERS",
    "MIN_PAIRS",
    "REPLICATES",
    "SEED",
    "Direction",
    "Estimate",
    "_alpha_many",
    "_bootstrap",
    "_jackknife_interval",
    "_percentile_interval",
    "_statistic",
    "alpha_estimate",
    "alpha_features",
    "alpha_groups",
    "alpha_of",
    "alpha_ordinal",
    "alpha_words",
    "direction",
    "feature_columns",
    "kappa_estimate",
    "kappa_features",
    "kappa_groups",
    "kappa_of",
    "kappa_words",
    "linear_weights",
    "unit_coincidences",
    "weighted_kappa",
]


@dataclass(frozen=True)
class Estimate:
    """One agreement statistic: its value (None when there is too little data, with the
    ``reason``), its 95 % interval, the judgements (``n``) and evaluations it rests on."""

    name: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    clusters: int
    reason: str = ""

    @property
    def text(self) -> str:
        """ "0.52 (95 % interval 0.31 to 0.69)", or the reason there is no number."""
        if self.value is None:
            return self.reason
        if self.low is None or self.high is None:
            return (
                f"{self.value:.2f} (no interval: {self.reason})"
                if self.reason
                else (f"{self.value:.2f}")
            )
        return f"{self.value:.2f} (95 % interval {self.low:.2f} to {self.high:.2f})"

    def reading(self) -> str:
        """What the value means, in plain words."""
        if self.value is None:
            return self.reason
        if self.name == ALPHA:
            return alpha_words(self.value)
        return f"{kappa_words(self.value)} agreement"


def kappa_words(value: float) -> str:
    """Landis and Koch's (1977) bands for kappa."""
    if value < 0:
        return "poor"
    for limit, words in ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate")):
        if value <= limit:
            return words
    return "substantial" if value <= 0.80 else "almost perfect"


def alpha_words(value: float) -> str:
    """Krippendorff's (2004) guidance: rely on alpha ≥ .800, tentatively on ≥ .667."""
    if value >= 0.800:
        return "moderators consistent enough to rely on"
    if value >= 0.667:
        return "moderators consistent enough for tentative conclusions only"
    return "moderators not consistent enough to rely on"


def _finish(
    name: str,
    value: float | None,
    n: int,
    clusters: int,
    interval: tuple[float | None, float | None, str] | None,
) -> Estimate:
    """The estimate, or the reason there is no number or no interval."""
    if n < MIN_PAIRS:
        what = "pairs" if name == KAPPA else "items graded blind by two or more moderators"
        reason = f"not enough data: {n} {what} (at least {MIN_PAIRS} needed)"
        return Estimate(name, None, None, None, n, clusters, reason)
    if value is None:
        reason = f"not enough data: no variation in {n} judgements (every grade the same)"
        return Estimate(name, None, None, None, n, clusters, reason)
    if clusters < MIN_CLUSTERS or interval is None:
        reason = f"{clusters} evaluations (an interval needs {MIN_CLUSTERS})"
        return Estimate(name, value, None, None, n, clusters, reason)
    low, high, why = interval
    return Estimate(name, value, low, high, n, clusters, why)


def _results(name: str, blocks: _Blocks, n: IntArray, k: int) -> list[Estimate]:
    count = len(n)
    values = _from_features(name, blocks.totals(count), k)
    sizes = np.diff(blocks.starts)
    intervals = _intervals(name, blocks, values, n, k)
    return [
        _finish(name, None if np.isnan(v) else float(v), int(c), int(size), interval)
        for v, c, size, interval in zip(values, n, sizes, intervals, strict=True)
    ]


def kappa_groups(
    groups: IntArray,
    clusters: IntArray,
    auditor: IntArray,
    agreed: IntArray,
    k: int,
    count: int,
    columns: Matrix | None = None,
) -> list[Estimate]:
    """Weighted kappa (linear) of each of ``count`` groups of pairs, given as arrays: each
    pair's group (0..count-1), evaluation (any integer code), and the auditor's and the
    agreed grade's positions on a scale of ``k`` grades. ``columns``: the pairs'
    :func:`kappa_features` as :func:`feature_columns`, if already made (a report groups the
    same pairs five ways)."""
    groups, clusters = np.asarray(groups, dtype=np.int64), np.asarray(clusters, dtype=np.int64)
    if columns is None:
        auditor, agreed = np.asarray(auditor, dtype=np.int64), np.asarray(agreed, dtype=np.int64)
        columns = feature_columns(kappa_features(auditor, agreed, k))
    blocks = _blocks(groups, clusters, columns, count)
    return _results(KAPPA, blocks, np.bincount(groups, minlength=count), k)


def alpha_groups(
    groups: IntArray,
    clusters: IntArray,
    counts: Matrix,
    count: int,
    features: Matrix | None = None,
    columns: Matrix | None = None,
) -> list[Estimate]:
    """Ordinal alpha of each of ``count`` groups of units, given as arrays: each unit's group,
    evaluation code and counts of blind grades per scale position (units with fewer than two
    grades are left out). ``features``: each unit's :func:`alpha_features`, if already made;
    ``columns``: those of the units kept (two grades or more) as :func:`feature_columns`, if
    already made (a report groups the same units five ways)."""
    counts = np.asarray(counts, dtype=np.float64)
    keep = counts.sum(axis=1) >= 2
    k = counts.shape[1]
    if columns is None:
        if features is None:
            features = alpha_features(counts)
        columns = feature_columns(features[keep])
    groups = np.asarray(groups, dtype=np.int64)[keep]
    clusters = np.asarray(clusters, dtype=np.int64)[keep]
    blocks = _blocks(groups, clusters, columns, count)
    return _results(ALPHA, blocks, np.bincount(groups, minlength=count), k)


def kappa_of(clusters: IntArray, auditor: IntArray, agreed: IntArray, k: int) -> Estimate:
    """Weighted kappa (linear) of pairs given as arrays: each pair's evaluation (any integer
    code), the auditor's and the agreed grade's positions on a scale of ``k`` grades."""
    one = np.zeros(len(clusters), dtype=np.int64)
    return kappa_groups(one, clusters, auditor, agreed, k, 1)[0]


def alpha_of(clusters: IntArray, counts: Matrix) -> Estimate:
    """Ordinal alpha of units given as arrays: each unit's evaluation code and its counts of
    blind grades per scale position (units with fewer than two grades are left out)."""
    return alpha_groups(np.zeros(len(clusters), dtype=np.int64), clusters, counts, 1)[0]


def _codes(keys: Sequence[str]) -> IntArray:
    index: dict[str, int] = {}
    return np.array([index.setdefault(key, len(index)) for key in keys], dtype=np.int64)


def kappa_estimate(pairs: Sequence[tuple[str, int, int]], k: int) -> Estimate:
    """Weighted kappa (linear) of ``(evaluation id, auditor position, agreed position)``
    pairs on a scale of ``k`` grades, with its bootstrap interval."""
    codes = _codes([p[0] for p in pairs])
    auditor = np.array([p[1] for p in pairs], dtype=np.int64)
    agreed = np.array([p[2] for p in pairs], dtype=np.int64)
    return kappa_of(codes, auditor, agreed, k)


def alpha_estimate(units: Sequence[tuple[str, Sequence[int]]], k: int) -> Estimate:
    """Ordinal alpha of units — ``(evaluation id, the blind grades' positions)`` — on a scale
    of ``k`` grades; units with fewer than two grades are left out."""
    counts = np.zeros((len(units), k))
    for row, (_key, values) in enumerate(units):
        for value in values:
            counts[row, value] += 1
    return alpha_of(_codes([u[0] for u in units]), counts)


# --- the direction of disagreement ---------------------------------------------------------


@dataclass(frozen=True)
class Direction:
    """How the auditors' grades differ from the agreed ones."""

    pairs: int
    agreed: int
    auditor_higher: Counter[int]  # steps → how many judgements the auditor graded that higher
    auditor_lower: Counter[int]

    @property
    def disagreements(self) -> int:
        return self.pairs - self.agreed

    @property
    def share_agreed(self) -> float | None:
        return self.agreed / self.pairs if self.pairs else None

    def words(self) -> str:
        """ "auditors graded one step higher than the group in 9 of 14 disagreements"."""
        if not self.pairs:
            return "no judgements"
        if not self.disagreements:
            return f"the group agreed with the auditor in all {self.pairs} judgements"
        higher, lower = sum(self.auditor_higher.values()), sum(self.auditor_lower.values())
        side, steps, count = (
            ("higher", self.auditor_higher, higher)
            if higher >= lower
            else ("lower", self.auditor_lower, lower)
        )
        usual = max(steps, key=lambda s: (steps[s], -s))
        step_words = {1: "one step", 2: "two steps", 3: "three steps"}.get(usual, f"{usual} steps")
        exact = steps[usual]
        detail = (
            f"{step_words} {side} than the group in {exact} of {self.disagreements} disagreements"
        )
        if exact != count:
            detail += f" ({count} {side} in all)"
        return f"auditors graded {detail}"


def direction(pairs: Sequence[tuple[int, int]]) -> Direction:
    """Agreement and the direction of disagreement of ``(auditor, agreed)`` positions."""
    higher: Counter[int] = Counter()
    lower: Counter[int] = Counter()
    agreed = 0
    for auditor, group in pairs:
        if auditor == group:
            agreed += 1
        elif auditor > group:
            higher[auditor - group] += 1
        else:
            lower[group - auditor] += 1
    return Direction(len(pairs), agreed, higher, lower)
