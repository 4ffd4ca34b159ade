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
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]

MIN_PAIRS = 10  # fewer judgements than this: "not enough data"
MIN_CLUSTERS = 5  # fewer evaluations than this: no interval
REPLICATES = 1000
SEED = 4711
BOOTSTRAP_UP_TO = 200  # evaluations; above this the jackknife gives the interval
KAPPA = "weighted kappa (linear)"
ALPHA = "Krippendorff's alpha (ordinal)"


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


# --- weighted kappa ------------------------------------------------------------------------


@cache
def linear_weights(k: int) -> Matrix:
    """Disagreement weights |i - j| (any scale factor cancels out of kappa)."""
    index = np.arange(k, dtype=np.float64)
    weights = np.abs(index[:, None] - index[None, :])
    weights.setflags(write=False)
    return weights


def _kappa_many(tables: Matrix, weights: Matrix) -> Matrix:
    """Kappa of each ``k × k`` table in ``tables`` (shape ``(..., k, k)``); NaN where the
    expected disagreement is zero (no variation)."""
    total = tables.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        p = tables / total[..., None, None]
        rows, cols = p.sum(axis=-1), p.sum(axis=-2)
        observed = (p * weights).sum(axis=(-2, -1))
        expected = np.einsum("...i,ij,...j->...", rows, weights, cols)
        kappa = 1.0 - observed / expected
    return np.where(expected > 1e-12, kappa, np.nan)


def weighted_kappa(table: Matrix, weights: Matrix | None = None) -> float | None:
    """Cohen's weighted kappa of a ``k × k`` table of counts (rows: first rater); disagreement
    ``weights`` default to linear. None when it is undefined (no variation, or no pairs)."""
    table = np.asarray(table, dtype=np.float64)
    if table.sum() <= 0:
        return None
    value = float(_kappa_many(table, linear_weights(len(table)) if weights is None else weights))
    return None if np.isnan(value) else value


# --- Krippendorff's alpha, ordinal ---------------------------------------------------------


def unit_coincidences(counts: Matrix) -> Matrix:
    """Each unit's contribution to the coincidence matrix: ``(n nᵀ − diag n) / (m − 1)`` for a
    unit with ``m ≥ 2`` values (counts per category ``n``); zero for units with fewer."""
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.sum(axis=-1)
    outer = counts[..., :, None] * counts[..., None, :]
    diag = np.zeros_like(outer)
    k = counts.shape[-1]
    diag[..., np.arange(k), np.arange(k)] = counts
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (outer - diag) / (m - 1)[..., None, None]
    return np.where((m >= 2)[..., None, None], out, 0.0)


@cache
def _pairs_of_positions(k: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    return np.minimum(i, j), np.maximum(i, j)


def _ordinal_delta(marginals: Matrix) -> Matrix:
    """Krippendorff's ordinal metric δ²(c, k) = (Σ_{g=c..k} n_g − (n_c + n_k)/2)² for each
    set of marginals (shape ``(..., k)`` → ``(..., k, k)``)."""
    cum = np.cumsum(marginals, axis=-1)
    lo, hi = _pairs_of_positions(marginals.shape[-1])
    before = np.where(lo > 0, np.take(cum, np.maximum(lo - 1, 0), axis=-1), 0.0)
    between = np.take(cum, hi, axis=-1) - before
    half = (np.take(marginals, lo, axis=-1) + np.take(marginals, hi, axis=-1)) / 2.0
    return np.asarray((between - half) ** 2, dtype=np.float64)


def _alpha_many(coincidences: Matrix) -> Matrix:
    """Alpha of each coincidence matrix (shape ``(..., k, k)``); NaN where the expected
    disagreement is zero (one category only)."""
    marginals = coincidences.sum(axis=-1)
    n = marginals.sum(axis=-1)
    delta = _ordinal_delta(marginals)
    observed = (coincidences * delta).sum(axis=(-2, -1))
    expected = np.einsum("...i,...ij,...j->...", marginals, delta, marginals)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * observed / expected
    return np.where(expected > 1e-12, alpha, np.nan)


def alpha_ordinal(value_counts: Matrix) -> float | None:
    """Krippendorff's ordinal alpha of units × categories counts (categories are the scale's
    positions); None when it is undefined. Checked against the ``krippendorff`` package in
    tests/unit/test_agreement.py."""
    counts = np.asarray(value_counts, dtype=np.float64)
    if counts.ndim != 2 or not len(counts):
        return None
    value = float(_alpha_many(unit_coincidences(counts).sum(axis=0)))
    return None if np.isnan(value) else value


# --- estimates with their intervals ---------------------------------------------------------


def _statistic(tables: Matrix, statistic: str, weights: Matrix | None) -> Matrix:
    if statistic == KAPPA:
        assert weights is not None
        return _kappa_many(tables, weights)
    return _alpha_many(tables)


@lru_cache(maxsize=32)
def _resample_counts(clusters: int) -> Matrix:
    """How many times each of ``clusters`` evaluations is drawn in each replicate: the same
    for every group of that size (the generator is seeded), so it is made once a process."""
    rng = np.random.default_rng(SEED)
    drawn = rng.integers(0, clusters, size=(REPLICATES, clusters))
    offsets = drawn + (np.arange(REPLICATES) * clusters)[:, None]
    counts = np.bincount(offsets.ravel(), minlength=REPLICATES * clusters)
    out = counts.reshape(REPLICATES, clusters).astype(np.float64)
    out.setflags(write=False)
    return out


def _bootstrap(per_cluster: Matrix, statistic: str, weights: Matrix | None) -> Matrix:
    """:data:`REPLICATES` replicates of the statistic, each over the evaluations drawn with
    replacement (``per_cluster`` holds each evaluation's ``k × k`` contribution)."""
    clusters, k = per_cluster.shape[0], per_cluster.shape[1]
    tables = _resample_counts(clusters) @ per_cluster.reshape(clusters, k * k)
    return _statistic(tables.reshape(-1, k, k), statistic, weights)


def _percentile_interval(replicates: Matrix) -> tuple[float | None, float | None, str]:
    finite = replicates[np.isfinite(replicates)]
    if len(finite) < 0.9 * len(replicates):
        return None, None, "too few resamples had variation for an interval"
    low, high = np.percentile(finite, [2.5, 97.5])
    return float(low), float(high), ""


def _jackknife_interval(
    per_cluster: Matrix, value: float, statistic: str, weights: Matrix | None
) -> tuple[float | None, float | None, str]:
    """value ± 1.96 standard errors, the standard error from leaving out one evaluation at a
    time (the delete-one-group jackknife: for many evaluations it agrees with the bootstrap,
    at a fraction of the cost)."""
    clusters = per_cluster.shape[0]
    left_out = _statistic(per_cluster.sum(axis=0)[None] - per_cluster, statistic, weights)
    finite = left_out[np.isfinite(left_out)]
    if len(finite) < clusters:
        return None, None, "too few evaluations with variation for an interval"
    spread = float(np.sqrt((clusters - 1) / clusters * np.sum((finite - finite.mean()) ** 2)))
    return max(-1.0, value - 1.96 * spread), min(1.0, value + 1.96 * spread), ""


def _estimate(
    name: str, value: float | None, n: int, per_cluster: Matrix, weights: Matrix | None = None
) -> Estimate:
    clusters = per_cluster.shape[0]
    if n < MIN_PAIRS:
        what = "pairs" if name == KAPPA else "items graded blind by two or more moderators"
        reason = f"not enough data: {n} {what} (at least {MIN_PAIRS} needed)"
        return Estimate(name, None, None, None, n, clusters, reason)
    if value is None:
        reason = f"not enough data: no variation in {n} judgements (every grade the same)"
        return Estimate(name, None, None, None, n, clusters, reason)
    if clusters < MIN_CLUSTERS:
        reason = f"{clusters} evaluations (an interval needs {MIN_CLUSTERS})"
        return Estimate(name, value, None, None, n, clusters, reason)
    if clusters <= BOOTSTRAP_UP_TO:
        low, high, why = _percentile_interval(_bootstrap(per_cluster, name, weights))
    else:
        low, high, why = _jackknife_interval(per_cluster, value, name, weights)
    return Estimate(name, value, low, high, n, clusters, why)


IntArray = npt.NDArray[np.int64]


def _local(clusters: IntArray) -> tuple[IntArray, int]:
    """Cluster codes renumbered 0..C-1 (in order of the codes: deterministic)."""
    uniques, inverse = np.unique(clusters, return_inverse=True)
    return inverse.astype(np.int64), len(uniques)


def kappa_of(clusters: IntArray, auditor: IntArray, agreed: IntArray, k: int) -> Estimate:
    """Weighted kappa (linear) of pairs given as arrays: each pair's evaluation (any integer
    code), the auditor's and the agreed grade's positions on a scale of ``k`` grades."""
    local, count = _local(np.asarray(clusters, dtype=np.int64))
    cells = (local * k + np.asarray(auditor, dtype=np.int64)) * k + np.asarray(agreed)
    found = np.bincount(cells, minlength=count * k * k)
    tables = found.astype(np.float64).reshape(count, k, k)
    weights = linear_weights(k)
    n = len(local)
    value = weighted_kappa(tables.sum(axis=0), weights) if n else None
    return _estimate(KAPPA, value, n, tables, weights)


def alpha_of(clusters: IntArray, counts: Matrix) -> Estimate:
    """Ordinal alpha of units given as arrays: each unit's evaluation code and its counts of
    blind grades per scale position (units with fewer than two grades are left out)."""
    counts = np.asarray(counts, dtype=np.float64)
    keep = counts.sum(axis=1) >= 2
    counts, codes = counts[keep], np.asarray(clusters, dtype=np.int64)[keep]
    local, count = _local(codes)
    k = counts.shape[1]
    coincidences = unit_coincidences(counts).reshape(len(counts), k * k)
    cells = [
        np.bincount(local, weights=coincidences[:, cell], minlength=count).astype(np.float64)
        for cell in range(k * k)
    ]
    per_cluster: Matrix = np.stack(cells, axis=1).reshape(count, k, k)
    found = float(_alpha_many(per_cluster.sum(axis=0))) if len(counts) else float("nan")
    value = None if np.isnan(found) else found
    return _estimate(ALPHA, value, len(counts), per_cluster)


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
