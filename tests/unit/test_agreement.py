"""Agreement statistics against hand-worked examples, published examples and two libraries.

* weighted kappa: Cohen, J. (1968). Weighted kappa: nominal scale agreement with provision for
  scaled disagreement or partial credit. Psychological Bulletin 70(4), 213–220 — Table 1 (two
  judges, 200 cases, three diagnoses; proportions .44 .07 .09 / .05 .20 .05 / .01 .03 .06,
  disagreement weights 0 1 3 / 1 0 6 / 3 6 0): he reports kappa = .492 and weighted kappa =
  .348. Random tables are checked against scikit-learn's ``cohen_kappa_score``.
* ordinal alpha: Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
  Annenberg School for Communication, University of Pennsylvania, Departmental Papers 43 —
  the example of four observers, twelve units, values 1–5 with missing values: ordinal alpha
  = .815. Random data are checked against the ``krippendorff`` package.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa_tui.domain import agreement as ag

sklearn_metrics = pytest.importorskip("sklearn.metrics")
krippendorff = pytest.importorskip("krippendorff")

COHEN_1968 = np.array([[0.44, 0.07, 0.09], [0.05, 0.20, 0.05], [0.01, 0.03, 0.06]]) * 200
COHEN_WEIGHTS = np.array([[0, 1, 3], [1, 0, 6], [3, 6, 0]], dtype=float)
NAN = math.nan
KRIPPENDORFF_2011 = [  # observers × units
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]


def _counts(reliability: list[list[float]], k: int) -> np.ndarray:
    """Units × categories counts from an observers × units matrix of values 1..k."""
    data = np.array(reliability)
    out = np.zeros((data.shape[1], k))
    for unit in range(data.shape[1]):
        for value in data[:, unit]:
            if not math.isnan(value):
                out[unit, int(value) - 1] += 1
    return out


# --- published examples --------------------------------------------------------------------


def test_cohen_1968_table_1() -> None:
    assert round(ag.weighted_kappa(COHEN_1968, 1 - np.eye(3)) or 0, 3) == 0.492
    assert round(ag.weighted_kappa(COHEN_1968, COHEN_WEIGHTS) or 0, 3) == 0.348


def test_krippendorff_2011_ordinal_example() -> None:
    counts = _counts(KRIPPENDORFF_2011, 5)
    assert round(ag.alpha_ordinal(counts) or 0, 3) == 0.815
    ours = ag._alpha_many(ag.unit_coincidences(counts).sum(axis=0))  # the bootstrap's formula
    assert round(float(ours), 3) == 0.815


# --- hand-worked examples ------------------------------------------------------------------


def test_hand_worked_linear_kappa() -> None:
    # Two grades: linear weights are the unweighted kappa. p_o = 4/5; rows (3/5, 2/5) and
    # columns (2/5, 3/5) give p_e = 12/25; kappa = (20/25 − 12/25) / (1 − 12/25) = 8/13.
    assert ag.weighted_kappa(np.array([[2.0, 1.0], [0.0, 2.0]])) == pytest.approx(8 / 13)
    # Three grades, weights |i − j|, table 3 1 0 / 0 2 1 / 0 1 2 (n = 10): observed
    # disagreement (1 + 1 + 1) / 10 = 0.3; margins rows (.4, .3, .3), columns (.3, .4, .3);
    # expected .4·(.4·1 + .3·2) + .3·(.3·1 + .3·1) + .3·(.3·2 + .4·1) = .4 + .18 + .3 = .88;
    # kappa = 1 − 0.3 / 0.88 = 0.6591.
    table = np.array([[3.0, 1.0, 0.0], [0.0, 2.0, 1.0], [0.0, 1.0, 2.0]])
    assert ag.weighted_kappa(table) == pytest.approx(1 - 0.3 / 0.88)


def test_perfect_agreement() -> None:
    pairs = [(f"e{i % 6}", i % 4, i % 4) for i in range(24)]
    kappa = ag.kappa_estimate(pairs, 4)
    assert (kappa.value, kappa.low, kappa.high, kappa.n, kappa.clusters) == (1.0, 1.0, 1.0, 24, 6)
    assert kappa.reading() == "almost perfect agreement"
    units = [(f"e{i % 6}", [i % 4, i % 4, i % 4]) for i in range(12)]
    alpha = ag.alpha_estimate(units, 4)
    assert (alpha.value, alpha.n) == (1.0, 12)
    assert alpha.reading() == "moderators consistent enough to rely on"


def test_total_disagreement() -> None:
    # Every pair on opposite ends of a two-grade scale: p_o = 0, p_e = 1/2, kappa = −1.
    pairs = [(f"e{i}", i % 2, 1 - i % 2) for i in range(12)]
    kappa = ag.kappa_estimate(pairs, 2)
    assert kappa.value == pytest.approx(-1.0) and kappa.reading() == "poor agreement"
    units = [(f"e{i}", [0, 1]) for i in range(12)]
    alpha = ag.alpha_estimate(units, 2)
    assert alpha.value is not None and alpha.value < 0


def test_one_category_only_is_not_enough_data() -> None:
    kappa = ag.kappa_estimate([(f"e{i}", 2, 2) for i in range(30)], 4)
    assert kappa.value is None and kappa.low is None
    assert kappa.text == "not enough data: no variation in 30 judgements (every grade the same)"
    alpha = ag.alpha_estimate([(f"e{i}", [1, 1, 1]) for i in range(30)], 4)
    assert alpha.value is None and "no variation in 30" in alpha.text


def test_too_few_pairs_is_not_enough_data_with_the_count() -> None:
    kappa = ag.kappa_estimate([(f"e{i}", i % 4, (i + 1) % 4) for i in range(9)], 4)
    assert kappa.value is None
    assert kappa.text == "not enough data: 9 pairs (at least 10 needed)"
    assert ag.kappa_estimate([], 4).text == "not enough data: 0 pairs (at least 10 needed)"
    alpha = ag.alpha_estimate([("e1", [1, 2]), ("e1", [3])], 4)
    assert alpha.text.startswith("not enough data: 1 items graded blind by two or more")


def test_few_evaluations_give_a_value_but_no_interval() -> None:
    pairs = [(f"e{i % 3}", i % 4, (i // 4) % 4) for i in range(16)]
    kappa = ag.kappa_estimate(pairs, 4)
    assert kappa.value is not None and kappa.low is None and kappa.clusters == 3
    assert "an interval needs 5" in kappa.text


def test_the_interval_is_reproducible_and_holds_the_value() -> None:
    rng = np.random.default_rng(7)
    auditor = rng.integers(0, 4, 200)
    agreed = np.clip(auditor - rng.integers(0, 2, 200), 0, 3)
    pairs = [
        (f"e{i // 5}", int(a), int(b)) for i, (a, b) in enumerate(zip(auditor, agreed, strict=True))
    ]
    first, second = ag.kappa_estimate(pairs, 4), ag.kappa_estimate(pairs, 4)
    assert first == second
    assert first.low is not None and first.high is not None and first.value is not None
    assert first.low < first.value < first.high


def test_the_direction_of_disagreement_in_words() -> None:
    pairs = [(2, 1)] * 9 + [(3, 1)] + [(1, 2)] * 4 + [(2, 2)] * 27
    found = ag.direction(pairs)
    assert (found.pairs, found.agreed, found.disagreements) == (41, 27, 14)
    assert found.words() == (
        "auditors graded one step higher than the group in 9 of 14 disagreements (10 higher in all)"
    )
    assert ag.direction([(1, 1)] * 3).words() == (
        "the group agreed with the auditor in all 3 judgements"
    )
    assert ag.direction([]).share_agreed is None


# --- against the libraries ------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=1, max_size=80),
)
def test_kappa_matches_scikit_learn(pairs: list[tuple[int, int]]) -> None:
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    table = np.zeros((4, 4))
    for x, y in pairs:
        table[x, y] += 1
    ours = ag.weighted_kappa(table)
    with warnings.catch_warnings():  # sklearn warns where kappa is undefined (one grade only)
        warnings.simplefilter("ignore")
        theirs = sklearn_metrics.cohen_kappa_score(a, b, labels=[0, 1, 2, 3], weights="linear")
    if ours is None:
        assert math.isnan(theirs) or len(set(a) | set(b)) == 1
    else:
        assert ours == pytest.approx(theirs, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 3), min_size=1, max_size=4),
        min_size=1,
        max_size=40,
    )
)
def test_alpha_matches_the_krippendorff_package(units: list[list[int]]) -> None:
    counts = np.array([np.bincount(u, minlength=4) for u in units], dtype=float)
    ours = ag.alpha_ordinal(counts)
    pairable = counts[counts.sum(axis=1) >= 2]
    if len(pairable) == 0 or np.count_nonzero(pairable.sum(axis=0)) < 2:
        assert ours is None  # nothing pairable, or one category only: undefined
        return
    library = krippendorff.alpha(
        value_counts=pairable, value_domain=[0, 1, 2, 3], level_of_measurement="ordinal"
    )
    assert ours == pytest.approx(library, abs=1e-9)


def test_many_evaluations_take_the_jackknife_which_agrees_with_the_bootstrap() -> None:
    rng = np.random.default_rng(11)
    clusters = 600
    auditor = rng.integers(0, 4, clusters * 5)
    agreed = np.clip(auditor - (rng.random(clusters * 5) < 0.2), 0, 3)
    codes = np.repeat(np.arange(clusters), 5)
    jack = ag.kappa_of(codes, auditor, agreed, 4)
    assert jack.clusters > ag.BOOTSTRAP_UP_TO and jack.low is not None and jack.high is not None
    per = np.zeros((clusters, 4, 4))
    np.add.at(per, (codes, auditor, agreed), 1.0)
    boot = ag._percentile_interval(ag._bootstrap(per, ag.KAPPA, ag.linear_weights(4)))
    assert boot[0] is not None and boot[1] is not None
    assert jack.low == pytest.approx(boot[0], abs=0.01)
    assert jack.high == pytest.approx(boot[1], abs=0.01)


def _alone(name: str, per_cluster: np.ndarray, n: int) -> ag.Estimate:
    """One group's estimate from the k × k tables of its evaluations, by the reference
    formulas: the statistic of the whole table, the bootstrap of whole tables (or the
    jackknife)."""
    weights = ag.linear_weights(per_cluster.shape[1]) if name == ag.KAPPA else None
    value = float(ag._statistic(per_cluster.sum(axis=0), name, weights))
    clusters = len(per_cluster)
    if n < ag.MIN_PAIRS or np.isnan(value) or clusters < ag.MIN_CLUSTERS:
        interval = None
    elif clusters <= ag.BOOTSTRAP_UP_TO:
        interval = ag._percentile_interval(ag._bootstrap(per_cluster, name, weights))
    else:
        interval = ag._jackknife_interval(per_cluster, value, name, weights)
    return ag._finish(name, None if np.isnan(value) else value, n, clusters, interval)


def test_every_group_at_once_gives_each_group_what_it_gives_alone() -> None:
    """The report computes a thousand groups in one go (resampling a few numbers per
    evaluation, not its table); each group's figures are those of the group on its own."""
    rng = np.random.default_rng(23)
    size = 4000
    groups = np.concatenate([rng.integers(0, 30, size), np.full(1500, 30)])
    clusters = np.concatenate([rng.integers(0, 300, size), rng.integers(0, 700, 1500)])
    auditor = rng.integers(0, 4, len(groups))
    agreed = np.clip(auditor - (rng.random(len(groups)) < 0.3), 0, 3)
    counts = np.stack([np.bincount(rng.integers(0, 4, 3), minlength=4) for _ in groups])
    count = 32  # group 31 is empty
    kappas = ag.kappa_groups(groups, clusters, auditor, agreed, 4, count)
    alphas = ag.alpha_groups(groups, clusters, counts.astype(float), count)
    assert {e.clusters > ag.BOOTSTRAP_UP_TO for e in kappas} == {True, False}
    for g in range(count):
        rows = groups == g
        codes = np.unique(clusters[rows], return_inverse=True)[1]
        tables = np.zeros((codes.max() + 1 if rows.any() else 0, 4, 4))
        np.add.at(tables, (codes, auditor[rows], agreed[rows]), 1.0)
        coincidences = np.zeros_like(tables)
        np.add.at(coincidences, codes, ag.unit_coincidences(counts[rows].astype(float)))
        for together, alone in (
            (kappas[g], _alone(ag.KAPPA, tables, int(rows.sum()))),
            (alphas[g], _alone(ag.ALPHA, coincidences, int(rows.sum()))),
        ):
            assert (together.n, together.clusters, together.reason) == (
                alone.n,
                alone.clusters,
                alone.reason,
            )
            for ours, theirs in (
                (together.value, alone.value),
                (together.low, alone.low),
                (together.high, alone.high),
            ):
                assert (ours is None) == (theirs is None)
                if ours is not None:
                    assert ours == pytest.approx(theirs, abs=1e-9)


def test_each_units_features_are_those_of_its_own_table() -> None:
    """The groups are summed from each pair's and each unit's features, made straight from the
    grades (no k × k table per unit): they equal the features of the unit's own table, and
    their sum gives the statistic of the whole table (Krippendorff's published example,
    five values, and random pairs on four)."""
    from qa_tui.domain import agreement_math as am

    counts = _counts(KRIPPENDORFF_2011, 5)
    tables = ag.unit_coincidences(counts).reshape(len(counts), 25)
    ours = ag.alpha_features(counts)
    assert ours == pytest.approx(am._features(ag.ALPHA, tables, 5), abs=1e-12)
    assert float(am._from_features(ag.ALPHA, ours.sum(axis=0), 5)) == pytest.approx(0.815, abs=5e-4)
    rng = np.random.default_rng(5)
    auditor, agreed = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    one_hot = np.zeros((300, 16))
    one_hot[np.arange(300), auditor * 4 + agreed] = 1.0
    pairs = ag.kappa_features(auditor, agreed, 4)
    assert pairs == pytest.approx(am._features(ag.KAPPA, one_hot, 4), abs=0)
    whole = ag.weighted_kappa(one_hot.sum(axis=0).reshape(4, 4))
    summed = float(am._from_features(ag.KAPPA, pairs.sum(axis=0), 4))
    assert summed == pytest.approx(whole, abs=1e-12)


def test_intervals_do_not_depend_on_how_many_groups_are_bootstrapped_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Groups of one size are bootstrapped a batch at a time (agreement_math.BATCH, chosen
    for memory); every figure is exactly the same whatever the batch, with four blind grades
    per unit (alpha's coincidences then are thirds, not whole numbers)."""
    import qa_tui.domain.agreement_math as am

    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(70), 48)  # 70 groups of 12 evaluations, 4 units each
    clusters = np.tile(np.repeat(np.arange(12), 4), 70) + 12 * groups
    counts = np.stack([np.bincount(rng.integers(0, 4, 4), minlength=4) for _ in groups])
    auditor = rng.integers(0, 4, len(groups))
    agreed = np.clip(auditor - (rng.random(len(groups)) < 0.3), 0, 3)
    found = []
    for batch in (1, 16, 64):
        monkeypatch.setattr(am, "BATCH", batch)
        alphas = ag.alpha_groups(groups, clusters, counts.astype(float), 70)
        kappas = ag.kappa_groups(groups, clusters, auditor, agreed, 4, 70)
        found.append([(e.value, e.low, e.high, e.reason) for e in (*alphas, *kappas)])
    assert any(low is not None for _v, low, _h, _r in found[0])
    assert found[0] == found[1] == found[2]


def test_alpha_counts_its_values_exactly_as_numpy_sums_them() -> None:
    """Alpha's number of values is the marginals' sum taken as a product with ones (numpy's
    sum over a short last axis was a fifth of a bootstrap): the marginals are counts, so the
    figure is the same to the last bit, with three to six blind grades per unit (the
    coincidences then are halves, thirds, fifths: not whole numbers)."""
    import qa_tui.domain.agreement_math as am

    rng = np.random.default_rng(11)
    for graders in range(3, 7):
        counts = np.stack(
            [np.bincount(rng.integers(0, 4, graders), minlength=4) for _ in range(600)]
        ).astype(float)
        per_unit = am.alpha_features(counts).reshape(50, 12, -1)
        resampled = np.matmul(am._resample_counts(12), per_unit)  # 50 × 1,000 replicates
        marginals = np.ascontiguousarray(resampled[..., :4])
        observed, expected = am._disagreements(marginals, resampled[..., 4:])
        with np.errstate(divide="ignore", invalid="ignore"):
            summed = 1.0 - (marginals.sum(axis=-1) - 1.0) * observed / expected
        reference = np.where(expected > 1e-12, summed, np.nan)
        assert np.array_equal(am._from_features(ag.ALPHA, resampled, 4), reference, equal_nan=True)


def test_the_percentiles_of_many_rows_are_each_rows_own() -> None:
    """The intervals of every group of one size are taken at once (partitioned in place when
    every row is whole): each row's are exactly those of the row alone, with or without rows
    that have undefined replicates among them."""
    import qa_tui.domain.agreement_math as am

    rng = np.random.default_rng(3)
    for nan_rows in ((), (2,), (0, 5, 6)):
        replicates = rng.normal(size=(8, 1000))
        for row in nan_rows:
            replicates[row, rng.integers(0, 1000, 50 if row else 200)] = np.nan
        alone = [am._percentile_interval(row.copy()) for row in replicates]
        assert am._percentile_intervals(replicates.copy()) == alone


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=6),
    st.integers(min_value=1, max_value=1200),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.sampled_from(["normal", "ties", "uniform"]),
)
def test_the_percentiles_are_numpys_to_the_last_bit(
    rows: int, n: int, seed: int, kind: str
) -> None:
    """The intervals' percentiles are taken without np.percentile (its import of numpy.ma and
    its partition across a transposed view cost a report's start): the same numbers, bit for
    bit, for any number of resamples, with ties and with negative values."""
    import qa_tui.domain.agreement_math as am

    rng = np.random.default_rng(seed)
    if kind == "normal":
        values = rng.normal(size=(rows, n))
    elif kind == "ties":
        values = rng.integers(-3, 4, size=(rows, n)) / 7.0
    else:
        values = rng.random((rows, n)) * 2 - 1
    want = np.percentile(values, [2.5, 97.5], axis=1)
    low, high = am.percentiles(values.copy())
    assert np.array_equal(low, want[0]) and np.array_equal(high, want[1])
