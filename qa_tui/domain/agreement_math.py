"""The arithmetic of the agreement statistics (:mod:`qa_tui.domain.agreement`): weighted
kappa and ordinal alpha of many tables at once, and their intervals.

Everything here works on arrays of ``k × k`` tables (positions on the grading scale), many at
a time: a year's report has a thousand groups (a figure per month, team, service area, item and
session), and a bootstrap is a thousand resamples of each. Methods, and why these, are in
:mod:`qa_tui.domain.agreement`; the values are checked against scikit-learn and the
``krippendorff`` package in tests/unit/test_agreement.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

MIN_PAIRS = 10  # fewer judgements than this: "not enough data"
MIN_CLUSTERS = 5  # fewer evaluations than this: no interval
REPLICATES = 1000
SEED = 4711
BOOTSTRAP_UP_TO = 200  # evaluations; above this the jackknife gives the interval
KAPPA = "weighted kappa (linear)"
ALPHA = "Krippendorff's alpha (ordinal)"


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
    expected disagreement is zero (no variation).

    On counts: kappa = 1 − p_o / p_e = 1 − n · Σ w·t / (rowsᵀ W cols), so no table is divided
    (a report computes this for a million bootstrap tables)."""
    k = tables.shape[-1]
    total = tables.sum(axis=(-2, -1))
    rows, cols = tables.sum(axis=-1), tables.sum(axis=-2)
    observed = tables.reshape(*tables.shape[:-2], k * k) @ weights.reshape(k * k)
    expected = ((rows @ weights) * cols).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = 1.0 - total * observed / expected
        defined = expected / (total * total) > 1e-12
    return np.where(defined, kappa, np.nan)


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
    unit with ``m ≥ 2`` values (counts per category ``n``); zero for units with fewer. Made in
    one array (a year is tens of thousands of units)."""
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.sum(axis=-1)
    k = counts.shape[-1]
    out = counts[..., :, None] * counts[..., None, :]
    out[..., np.arange(k), np.arange(k)] -= counts
    scale = np.divide(1.0, m - 1, out=np.zeros_like(m), where=m >= 2)
    out *= scale[..., None, None]
    return out


@cache
def _pairs_of_positions(k: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The positions (c, d) with c < d: the metric is symmetric and zero on the diagonal."""
    low, high = np.triu_indices(k, 1)
    return low.astype(np.intp), high.astype(np.intp)


@cache
def _selectors(k: int) -> tuple[Matrix, Matrix, Matrix]:
    """Matrices that take, from marginals (``(..., k) @ M``), for each pair c < d: the metric's
    root Σ_{g=c..d} n_g − (n_c + n_d)/2, n_c and n_d. Products, not fancy indexing: a
    bootstrap applies them to a million rows."""
    lo, hi = _pairs_of_positions(k)
    between = ((np.arange(k)[:, None] >= lo) & (np.arange(k)[:, None] <= hi)).astype(float)
    low, high = np.zeros((k, len(lo))), np.zeros((k, len(lo)))
    low[lo, np.arange(len(lo))] = 1.0
    high[hi, np.arange(len(lo))] = 1.0
    root = between - (low + high) / 2.0
    for matrix in (root, low, high):
        matrix.setflags(write=False)
    return root, low, high


def _ordinal_delta(marginals: Matrix) -> Matrix:
    """Krippendorff's ordinal metric δ²(c, d) = (Σ_{g=c..d} n_g − (n_c + n_d)/2)² for each
    pair c < d of positions (shape ``(..., k)`` → ``(..., k(k−1)/2)``)."""
    root = _selectors(marginals.shape[-1])[0]
    return np.asarray((marginals @ root) ** 2, dtype=np.float64)


def _disagreements(marginals: Matrix, pairs: Matrix) -> tuple[Matrix, Matrix]:
    """Observed and expected disagreement (both halves of the symmetric sums) from the
    marginals and each pair c < d's coincidences o_cd + o_dc."""
    _root, low, high = _selectors(marginals.shape[-1])
    delta = _ordinal_delta(marginals)
    observed = _dot(pairs, delta)
    expected = 2.0 * _dot((marginals @ low) * (marginals @ high), delta)
    return observed, expected


def _alpha_many(coincidences: Matrix) -> Matrix:
    """Alpha of each coincidence matrix (shape ``(..., k, k)``); NaN where the expected
    disagreement is zero (one category only)."""
    marginals = coincidences.sum(axis=-1)
    lo, hi = _pairs_of_positions(coincidences.shape[-1])
    pairs = coincidences[..., lo, hi] + coincidences[..., hi, lo]
    observed, expected = _disagreements(marginals, pairs)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (marginals.sum(axis=-1) - 1.0) * observed / expected
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


@lru_cache(maxsize=8)
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
    low, high = percentiles(finite[None, :])
    return float(low[0]), float(high[0]), ""


def percentiles(rows: Matrix) -> tuple[Matrix, Matrix]:
    """The 2.5th and 97.5th percentile of each row of ``rows`` (finite numbers; each row is
    partitioned in place): what ``np.percentile(rows, [2.5, 97.5], axis=1)`` gives, to the
    last bit (the same positions, its linear interpolation and its arithmetic), without its
    import of numpy.ma (7 ms of a report's start) and its partition across a transposed view
    at six positions instead of four along each row (a year's report ranks 835 sessions'
    1,000 resamples four times)."""
    n = rows.shape[1]
    virtual = (n - 1) * (np.array([2.5, 97.5]) / 100)  # np.percentile: q / 100, (n - 1) q
    before = np.minimum(np.floor(virtual), n - 1).astype(np.intp)
    after = np.minimum(before + 1, n - 1)
    rows.partition(sorted({*before.tolist(), *after.tolist()}), axis=1)
    out = []
    for j in range(2):
        a, b, t = rows[:, before[j]], rows[:, after[j]], virtual[j] - before[j]
        diff = b - a  # numpy's _lerp: from the nearer end
        out.append(b - diff * (1 - t) if t >= 0.5 else a + diff * t)
    return out[0], out[1]


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


# --- many groups at once --------------------------------------------------------------------
#
# A report has a figure per month, team, service area, item and session: a thousand groups at
# full scale. Each group's evaluations are *blocks*: one k × k table per (group, evaluation),
# sorted by group and then by evaluation code (the order a lone group's evaluations take, so
# a group's figures are the same computed alone or among others). Groups of the same number
# of evaluations are bootstrapped together, with the same resample counts.

# Groups bootstrapped in one array: 16 × 1,000 resamples of 10 numbers, about a megabyte per
# array. At 64 each temporary was 5 MB, which the C allocator gave back to the system on free
# and took again as fresh pages for the next batch: a year's 835 sessions cost 25,000 page
# faults (3,500 now), a fifth of their figures' time. Each group's numbers are the same either
# way (every group is computed on its own rows).
BATCH = 16


@dataclass(frozen=True)
class _Blocks:
    features: Matrix  # (blocks, F): each block's features (see _features)
    starts: IntArray  # each group's first block; the last entry is the number of blocks

    def totals(self, count: int) -> Matrix:
        """Each group's features (the sum of its blocks')."""
        out = np.zeros((count, self.features.shape[1]))
        filled = np.flatnonzero(self.starts[:-1] < self.starts[1:])
        if len(filled):
            out[filled] = np.add.reduceat(self.features, self.starts[filled], axis=0)
        return out


def feature_columns(features: Matrix) -> Matrix:
    """Features (a row per unit) as one contiguous row per feature, what :func:`_blocks` sums:
    made once for a report's five breakdowns (each a copy of megabytes at full scale)."""
    return np.ascontiguousarray(np.asarray(features, dtype=np.float64).T)


def _blocks(groups: IntArray, clusters: IntArray, columns: Matrix, count: int) -> _Blocks:
    """Each (group, evaluation)'s features, the sum of its rows' (in their order), sorted by
    group and then by evaluation code; and where each group's blocks start. ``columns``: the
    rows' features, one row per feature (:func:`feature_columns`)."""
    width = int(clusters.max()) + 1 if len(clusters) else 1
    key = groups * width + clusters
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new = np.ones(len(ordered), dtype=bool)
    new[1:] = ordered[1:] != ordered[:-1]
    first = np.flatnonzero(new)
    block = np.empty(len(key), dtype=np.int64)
    block[order] = np.cumsum(new) - 1
    # A sum per feature, over contiguous columns (a reduceat over rows is several times
    # slower; a year's report groups 60,000 units six ways).
    summed = np.zeros((len(first), columns.shape[0]))
    for j, column in enumerate(columns):
        summed[:, j] = np.bincount(block, weights=column, minlength=len(first))
    starts = np.searchsorted(ordered[first] // width, np.arange(count + 1)).astype(np.int64)
    return _Blocks(summed, starts)


def _dot(a: Matrix, b: Matrix) -> Matrix:
    """Σ a·b over the last axis (einsum: a sum over a short last axis is slow in numpy)."""
    return np.asarray(np.einsum("...i,...i->...", a, b), dtype=np.float64)


def kappa_features(auditor: IntArray, agreed: IntArray, k: int) -> Matrix:
    """Each pair's kappa features (see :func:`_features`): 1, the weighted disagreement
    |auditor − agreed|, the auditor's position and the agreed one as one-hot rows."""
    n = len(auditor)
    out = np.zeros((n, 2 * k + 2))
    out[:, 0] = 1.0
    out[:, 1] = np.abs(auditor - agreed)
    rows = np.arange(n)
    out[rows, 2 + auditor] = 1.0
    out[rows, 2 + k + agreed] = 1.0
    return out


def alpha_features(counts: Matrix) -> Matrix:
    """Each unit's alpha features (see :func:`_features`), straight from its counts of blind
    grades per position: its coincidences' marginals are the counts themselves, and each pair
    c < d's coincidences o_cd + o_dc = 2 n_c n_d / (m − 1); zero for a unit of fewer than two
    grades (it pairs with nothing)."""
    counts = np.asarray(counts, dtype=np.float64)
    m = counts.sum(axis=-1)
    scale = np.divide(2.0, m - 1, out=np.zeros_like(m), where=m >= 2)
    lo, hi = _pairs_of_positions(counts.shape[-1])
    marginals = np.where((m >= 2)[:, None], counts, 0.0)
    return np.column_stack([marginals, counts[:, lo] * counts[:, hi] * scale[:, None]])


def _features(name: str, tables: Matrix, k: int) -> Matrix:
    """What a statistic needs of each ``k × k`` table (rows of ``tables``), all linear in the
    table, so that a resample's features are the resampled sum of its evaluations' features:
    kappa, the total, the weighted disagreement, the row and the column sums (2k + 2 numbers);
    alpha, the marginals and each pair c < d's coincidences (k + k(k−1)/2). A bootstrap then
    multiplies 10 numbers per evaluation instead of 16, and never makes a k × k table."""
    square = tables.reshape(-1, k, k)
    if name == KAPPA:
        observed = tables @ linear_weights(k).reshape(k * k)
        return np.column_stack(
            [square.sum(axis=(1, 2)), observed, square.sum(axis=2), square.sum(axis=1)]
        )
    lo, hi = _pairs_of_positions(k)
    return np.column_stack([square.sum(axis=2), square[:, lo, hi] + square[:, hi, lo]])


def _from_features(name: str, features: Matrix, k: int) -> Matrix:
    """The statistic of each row of ``features`` (shape ``(..., F)``); NaN where undefined.
    The same formulas as :func:`_kappa_many` and :func:`_alpha_many`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if name == KAPPA:
            total, observed = features[..., 0], features[..., 1]
            # Contiguous copies: a product with a strided slice leaves BLAS for a slow loop.
            rows = np.ascontiguousarray(features[..., 2 : 2 + k])
            cols = features[..., 2 + k : 2 + 2 * k]
            expected = _dot(rows @ linear_weights(k), cols)
            kappa = 1.0 - total * observed / expected
            return np.where(expected / (total * total) > 1e-12, kappa, np.nan)
        marginals, pairs = np.ascontiguousarray(features[..., :k]), features[..., k:]
        observed, expected = _disagreements(marginals, pairs)
        # The number of values, as a product with ones: the marginals are counts, so their sum
        # is exact whichever way it is added, and numpy's sum over a last axis of four took a
        # fifth of a bootstrap's time.
        total = marginals @ np.ones(k)
        alpha = 1.0 - (total - 1.0) * observed / expected
        return np.where(expected > 1e-12, alpha, np.nan)


def _percentile_intervals(
    replicates: Matrix,
) -> list[tuple[float | None, float | None, str]]:
    """:func:`_percentile_interval` of each row, the rows without a NaN at once. When every
    row is whole, ``replicates`` is reordered within its rows (partitioned in place: a copy
    of megabytes saved; nothing reads them after)."""
    whole = np.isfinite(replicates).all(axis=1)
    out: list[tuple[float | None, float | None, str]] = [
        (None, None, "") for _ in range(len(replicates))
    ]
    if whole.any():
        # The whole rows are a copy of their own (or all of them): partitioned in place, the
        # same partition of the same numbers as on a copy.
        rows = replicates if whole.all() else replicates[whole]
        low, high = percentiles(rows)
        for row, lo, hi in zip(np.flatnonzero(whole).tolist(), low, high, strict=True):
            out[row] = (float(lo), float(hi), "")
    for row in np.flatnonzero(~whole).tolist():
        out[row] = _percentile_interval(replicates[row])
    return out


def _intervals(
    name: str, blocks: _Blocks, values: Matrix, n: IntArray, k: int
) -> list[tuple[float | None, float | None, str] | None]:
    """Each group's interval (None: the group gets none)."""
    sizes = np.diff(blocks.starts)
    out: list[tuple[float | None, float | None, str] | None] = [None] * len(values)
    wanted = (n >= MIN_PAIRS) & np.isfinite(values) & (sizes >= MIN_CLUSTERS)
    boot = wanted & (sizes <= BOOTSTRAP_UP_TO)
    features = blocks.features
    for size in sorted(set(sizes[boot].tolist())):  # np.unique imports numpy.ma: 7 ms
        chosen = np.flatnonzero(boot & (sizes == size))
        # The replicates of every group of this size, then their percentiles in one call (a
        # row's percentiles are its own, however many rows there are): a call per batch of
        # 16 cost a year's report of 835 sessions 10 ms more.
        replicates = np.empty((len(chosen), REPLICATES))
        for first in range(0, len(chosen), BATCH):
            batch = chosen[first : first + BATCH]
            index = blocks.starts[batch][:, None] + np.arange(size)
            resampled = np.matmul(_resample_counts(size), features[index])
            replicates[first : first + len(batch)] = _from_features(name, resampled, k)
        for group, interval in zip(chosen.tolist(), _percentile_intervals(replicates), strict=True):
            out[group] = interval
    jack = np.flatnonzero(wanted & ~boot)
    jackknives = _jackknives(name, blocks, features, values, jack, k)
    for group, interval in zip(jack.tolist(), jackknives, strict=True):
        out[group] = interval
    return out


def _jackknives(
    name: str, blocks: _Blocks, features: Matrix, values: Matrix, groups: IntArray, k: int
) -> list[tuple[float | None, float | None, str]]:
    """:func:`_jackknife_interval` of each of ``groups``, all at once: each evaluation left
    out is its group's features less its own."""
    if not len(groups):
        return []
    sizes = np.diff(blocks.starts)[groups]
    own = np.repeat(np.arange(len(groups)), sizes)  # each block's place in ``groups``
    rows = np.concatenate([np.arange(blocks.starts[g], blocks.starts[g + 1]) for g in groups])
    mine = features[rows]
    totals = np.add.reduceat(mine, np.concatenate([[0], np.cumsum(sizes)[:-1]]), axis=0)
    left_out = _from_features(name, totals[own] - mine, k)
    finite = np.isfinite(left_out)
    complete = np.bincount(own, weights=finite, minlength=len(groups)) == sizes
    left_out = np.where(finite, left_out, 0.0)
    mean = np.bincount(own, weights=left_out, minlength=len(groups)) / sizes
    squares = np.bincount(own, weights=(left_out - mean[own]) ** 2, minlength=len(groups))
    spread = np.sqrt((sizes - 1) / sizes * squares)
    out: list[tuple[float | None, float | None, str]] = []
    for ok, value, sd in zip(
        complete.tolist(), values[groups].tolist(), spread.tolist(), strict=True
    ):
        if not ok:
            out.append((None, None, "too few evaluations with variation for an interval"))
        else:
            out.append((max(-1.0, value - 1.96 * sd), min(1.0, value + 1.96 * sd), ""))
    return out
