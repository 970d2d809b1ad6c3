"""Draws against theory: the vectorised inverse CDF is generation's rule, the chi-square p-value
matches tables and closed forms, small expected counts are pooled, and generate's sampling draws
from the q its traces report."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.limits import DRAWS
from rnn_core.sample import draw_token, slices
from rnn_core.stats import chi2_sf, chi_square, draw_counts, gammq, inverse_cdf, pooled_bins


def sf_even_df(x: float, df: int) -> float:
    """Closed form for even df = 2m: e^(-x/2) sum_{i<m} (x/2)^i / i!, summed in logs."""
    logs = [-x / 2 + i * math.log(x / 2) - math.lgamma(i + 1) for i in range(df // 2)]
    top = max(logs)
    return math.exp(top) * sum(math.exp(v - top) for v in logs)


def sf_odd_df(x: float, df: int) -> float:
    """Closed form for odd df = 2m+1: erfc(sqrt(x/2)) + e^(-x/2) sum_{i=1..m} (x/2)^(i-1/2) / Gamma(i+1/2)."""
    tail = sum(math.exp(-x / 2 + (i - 0.5) * math.log(x / 2) - math.lgamma(i + 0.5)) for i in range(1, df // 2 + 1))
    return math.erfc(math.sqrt(x / 2)) + tail


@pytest.mark.parametrize("x, df, p", [
    (3.841, 1, 0.05), (6.635, 1, 0.01), (5.991, 2, 0.05), (9.210, 2, 0.01),
    (18.307, 10, 0.05), (23.209, 10, 0.01), (124.342, 100, 0.05), (135.807, 100, 0.01),
])
def test_chi_square_p_values_match_the_printed_tables(x, df, p):
    assert chi2_sf(x, df) == pytest.approx(p, abs=2e-5)  # tables give x to 3 decimals


@pytest.mark.parametrize("df", [2, 4, 10, 50, 1000, 5000])
@pytest.mark.parametrize("ratio", [0.02, 0.5, 0.9, 1.0, 1.1, 1.5, 3.0])
def test_chi_square_sf_matches_the_closed_form_for_even_df(df, ratio):
    x = ratio * df
    assert chi2_sf(x, df) == pytest.approx(sf_even_df(x, df), rel=1e-9, abs=1e-300)


@pytest.mark.parametrize("df", [1, 3, 7, 51, 999])
@pytest.mark.parametrize("ratio", [0.02, 0.5, 1.0, 1.2, 3.0])
def test_chi_square_sf_matches_the_closed_form_for_odd_df(df, ratio):
    x = ratio * df
    assert chi2_sf(x, df) == pytest.approx(sf_odd_df(x, df), rel=1e-9, abs=1e-300)


def test_incomplete_gamma_special_cases():
    for x in (0.1, 1.0, 1.9, 2.5, 30.0):
        assert gammq(1.0, x) == pytest.approx(math.exp(-x), rel=1e-12)
        assert gammq(0.5, x) == pytest.approx(math.erfc(math.sqrt(x)), rel=1e-12)
    assert gammq(3.0, 0.0) == 1.0 and chi2_sf(0.0, 4) == 1.0 and chi2_sf(math.inf, 4) == 0.0


def test_inverse_cdf_is_draw_token_for_every_u():
    q = np.array([0.1, 0.3, 0.0, 0.3, 0.2, 0.1])  # ties and a zero, as after top-k
    lo, hi = slices(q)
    edges = np.concatenate([lo, hi, np.nextafter(hi, 0), np.nextafter(lo, 1)])
    u = np.concatenate([np.random.default_rng(0).random(5000), edges[edges < 1], [0.0, np.nextafter(1.0, 0)]])
    assert inverse_cdf(q, u).tolist() == [draw_token(q, float(v)) for v in u]


def test_inverse_cdf_past_the_top_by_rounding_takes_the_last_token_stacked():
    q = np.array([0.2, 0.0, 0.7, 0.1]) * (1 - 1e-12)  # sums just below 1
    u = np.array([1 - 1e-13])
    assert inverse_cdf(q, u).tolist() == [draw_token(q, float(u[0]))] == [3]


def test_draw_counts_are_draw_token_on_the_seeded_uniforms():
    q = np.array([0.05, 0.45, 0.2, 0.3])
    result = draw_counts(q, 2000, seed=7)
    u = np.random.default_rng(7).random(2000)
    by_hand = np.bincount([draw_token(q, float(v)) for v in u], minlength=4)
    assert result.counts.tolist() == by_hand.tolist() and result.counts.sum() == 2000
    np.testing.assert_allclose(result.expected, 2000 * q)
    assert draw_counts(q, 2000, seed=7).counts.tolist() == result.counts.tolist()  # reproducible


def test_ten_thousand_draws_agree_with_q_but_not_with_a_nearby_distribution():
    q = np.array([0.4, 0.25, 0.15, 0.1, 0.06, 0.03, 0.01])
    result = draw_counts(q, DRAWS.high, seed=3)
    assert result.test.df == 6 and result.test.p_value > 1e-3
    shifted = np.array([0.37, 0.28, 0.15, 0.1, 0.06, 0.03, 0.01])
    assert chi_square(result.counts, shifted).p_value < 1e-6


def test_pearson_statistic_by_hand_with_small_expected_counts_pooled():
    # expected [50, 30, 15, 4, 1]: the last two pool into one bin expecting 5
    test = chi_square(np.array([48, 33, 14, 3, 2]), np.array([0.5, 0.3, 0.15, 0.04, 0.01]))
    assert test.bins == ((0,), (1,), (2,), (3, 4))
    assert test.observed.tolist() == [48, 33, 14, 5] and test.expected.tolist() == pytest.approx([50, 30, 15, 5])
    statistic = 4 / 50 + 9 / 30 + 1 / 15 + 0 / 5
    assert test.statistic == pytest.approx(statistic) and test.df == 3
    assert test.p_value == pytest.approx(sf_odd_df(statistic, 3), rel=1e-9)


def test_a_pool_still_expecting_too_few_joins_the_smallest_bin():
    assert pooled_bins(np.array([60.0, 3.0, 37.0])) == ((0,), (1, 2))
    assert pooled_bins(np.array([0.0, 2.0, 1.0, 97.0])) == ((1, 2, 3),)  # q = 0 is left out


def test_nothing_to_test_with_a_single_bin():
    test = chi_square(np.array([3, 0, 0]), np.array([1.0, 0.0, 0.0]))
    assert test.df == 0 and test.p_value is None and test.statistic == 0
    few = chi_square(np.array([1, 1, 1]), np.array([1 / 3, 1 / 3, 1 / 3]))  # each expects 1
    assert few.bins == ((0, 1, 2),) and few.p_value is None


def test_a_draw_of_an_impossible_token_has_p_value_zero():
    test = chi_square(np.array([50, 49, 1]), np.array([0.5, 0.5, 0.0]))
    assert test.statistic == math.inf and test.p_value == 0.0


@pytest.mark.parametrize("q, n", [
    ([0.5, 0.6], 10), ([0.5, np.nan, 0.5], 10), ([1.2, -0.2], 10), ([], 10),
    ([0.5, 0.5], 0), ([0.5, 0.5], DRAWS.high + 1), ([0.5, 0.5], 2.5), ([0.5, 0.5], True),
])
def test_bad_distributions_and_draw_numbers_are_refused(q, n):
    with pytest.raises(rc.ConfigError):
        draw_counts(np.array(q, dtype=float), n)


# generate's sampling, one rule per entry: a new rule is one more line here
RULES = [
    rc.Rule("sample", temperature=0.6),
    rc.Rule("sample", temperature=1.8),
    rc.Rule("sample", top_k=3),
    rc.Rule("sample", top_p=0.7),
    rc.Rule("sample", temperature=1.4, top_k=5, top_p=0.85),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.describe())
def test_generate_draws_from_the_q_its_trace_reports(random_model, rule):
    """3,000 samples (fixed seed) picked at the same step after the same prompt: their counts
    agree with the step's q, and differ from y_t, so the test could tell the two apart."""
    n = 3000
    steps = [rc.generate(random_model, "one two", rule, max_tokens=1, seed=11, sample=s)[-1] for s in range(n)]
    q, y = steps[0].q, steps[0].probs
    assert all(np.array_equal(st.q, q) and st.how == "sampled" for st in steps)
    counts = np.bincount([st.token_id for st in steps], minlength=len(q))
    assert chi_square(counts, q).p_value > 1e-3
    assert chi_square(counts, y).p_value < 1e-6
