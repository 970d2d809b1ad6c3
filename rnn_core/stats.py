"""Draws against theory: sample one step N times by generation's own rule, count the picks, and
test the counts against the expected N q with Pearson's chi-square, so students see that
sampling is random but not arbitrary.

No scipy: the chi-square p-value is the regularized upper incomplete gamma function
Q(df/2, x/2), computed by its series or its continued fraction (Numerical Recipes' ``gammq``).

Small expected counts: Pearson's statistic is only chi-square distributed when every expected
count is large enough (the usual rule: at least 5). So tokens expected fewer than 5 times are
pooled into one bin; if that bin is still below 5 it joins the smallest other bin. Tokens with
q = 0 (cut by top-k/top-p) are left out: they cannot be drawn, and a count there would make the
statistic infinite (p = 0). One bin left means there is nothing to test: df = 0, p-value None.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .errors import ConfigError
from .limits import DRAWS, SEED
from .sample import slices

MIN_EXPECTED = 5.0  # the smallest expected count a bin of the chi-square test may have
_CHUNK = 1_000_000  # draws x V booleans compared at once in ``inverse_cdf``
_EPS = 1e-15  # relative precision of the incomplete gamma's series and continued fraction
_MAX_TERMS = 100_000  # enough for df in the millions: both expansions need about sqrt(df) terms
_TINY = 1e-300


@dataclass(frozen=True)
class ChiSquare:
    """Pearson's chi-square test of observed against expected counts, over pooled bins."""

    statistic: float  # sum over bins of (observed - expected)^2 / expected; inf: an impossible token drawn
    df: int  # bins - 1
    p_value: float | None  # P(chi-square_df >= statistic); None when df = 0 (nothing to test)
    bins: tuple[tuple[int, ...], ...]  # token ids in each bin, most expected first; pooled ones share a bin
    observed: np.ndarray  # (bins,) counts per bin
    expected: np.ndarray  # (bins,) N q per bin


@dataclass(frozen=True)
class DrawCounts:
    """N draws from q by the inverse-CDF rule of generation, and the test of their counts."""

    n: int
    seed: int
    q: np.ndarray  # (V,) the distribution drawn from
    counts: np.ndarray  # (V,) how often each token was drawn; sums to n
    expected: np.ndarray  # (V,) n q
    test: ChiSquare


def inverse_cdf(q: np.ndarray, u: np.ndarray) -> np.ndarray:
    """``sample.draw_token`` for many u at once: ids (N,) for u (N,) in [0, 1).

    Exactly the same rule, on the same slices (``sample.slices``: tokens stacked most probable
    first): the first token in vocabulary order whose slice [lo, hi) holds u, or, for u past the
    top by rounding, the last token stacked with q > 0.
    """
    lo, hi = slices(q)
    possible = q > 0
    order = np.argsort(-q, kind="stable")
    last = order[possible[order]][-1]
    u = np.asarray(u, dtype=float)
    ids = np.empty(len(u), np.int64)
    rows = max(1, _CHUNK // len(q))
    for i in range(0, len(u), rows):
        v = u[i : i + rows, None]
        holds = (lo <= v) & (v < hi) & possible  # (rows, V)
        ids[i : i + rows] = np.where(holds.any(axis=1), holds.argmax(axis=1), last)
    return ids


def draw_counts(q: np.ndarray, n: int, seed: int = 0) -> DrawCounts:
    """Draw n tokens from q (u = ``np.random.default_rng(seed).random(n)``, each u turned into a
    token by ``inverse_cdf``), count them and chi-square the counts against n q.

    Inputs: q (V,), a distribution (for example a ``StepTrace.q``); n inside ``limits.DRAWS``.
    """
    q = check_distribution(q)
    DRAWS.check(n)
    SEED.check(seed)
    u = np.random.default_rng(seed).random(n)
    counts = np.bincount(inverse_cdf(q, u), minlength=len(q))
    return DrawCounts(int(n), int(seed), q, counts, n * q, chi_square(counts, q))


def check_distribution(q) -> np.ndarray:
    """q as a float64 array (V,); ConfigError unless finite, >= 0 and summing to 1."""
    q = np.asarray(q, dtype=np.float64)
    if q.ndim != 1 or len(q) == 0 or not np.isfinite(q).all() or (q < 0).any() or abs(q.sum() - 1) > 1e-6:
        raise ConfigError("q must be a distribution: finite probabilities >= 0 summing to 1.")
    return q


def chi_square(counts: np.ndarray, q: np.ndarray) -> ChiSquare:
    """Pearson's chi-square of ``counts`` (V,) against ``counts.sum() * q``, bins pooled as the
    module's docstring says."""
    q = check_distribution(q)
    counts = np.asarray(counts)
    if counts.shape != q.shape or (counts < 0).any() or counts.sum() == 0:
        raise ConfigError("counts must be one count >= 0 per token of q, and at least one draw.")
    expected = counts.sum() * q
    bins = pooled_bins(expected)
    observed = np.array([counts[list(b)].sum() for b in bins], dtype=float)
    expected_bins = np.array([expected[list(b)].sum() for b in bins])
    if counts[q == 0].any():
        return ChiSquare(math.inf, len(bins) - 1, 0.0, bins, observed, expected_bins)
    statistic = float(((observed - expected_bins) ** 2 / expected_bins).sum())
    df = len(bins) - 1
    return ChiSquare(statistic, df, chi2_sf(statistic, df) if df else None, bins, observed, expected_bins)


def pooled_bins(expected: np.ndarray) -> tuple[tuple[int, ...], ...]:
    """Token ids grouped so that every group expects >= MIN_EXPECTED draws where possible.

    Tokens expecting at least MIN_EXPECTED draws stand alone, most expected first; the others
    (q > 0) form one pooled bin, which joins the smallest bin when it still expects too few.
    """
    order = [int(v) for v in np.argsort(-expected, kind="stable") if expected[v] > 0]
    bins = [(v,) for v in order if expected[v] >= MIN_EXPECTED]
    rest = tuple(sorted(v for v in order if expected[v] < MIN_EXPECTED))
    if rest and expected[list(rest)].sum() < MIN_EXPECTED and bins:
        bins[-1] = tuple(sorted(bins[-1] + rest))  # bins are most expected first: the last is smallest
    elif rest:
        bins.append(rest)
    return tuple(bins)


def chi2_sf(x: float, df: float) -> float:
    """P(X >= x) for X chi-square distributed with df > 0 degrees of freedom: Q(df/2, x/2)."""
    if not df > 0:
        raise ValueError(f"degrees of freedom must be > 0, not {df}.")
    if math.isnan(x):
        raise ValueError("the chi-square statistic is NaN.")
    return 1.0 if x <= 0 else gammq(df / 2, x / 2)


def gammq(a: float, x: float) -> float:
    """The regularized upper incomplete gamma function Q(a, x) = Gamma(a, x) / Gamma(a), a > 0,
    x >= 0: the series for P = 1 - Q when x < a + 1, else the continued fraction for Q
    (each converges fast on its side; Numerical Recipes, section 6.2)."""
    if not (a > 0 and x >= 0):
        raise ValueError(f"gammq needs a > 0 and x >= 0, not a={a}, x={x}.")
    if x == 0:
        return 1.0
    if math.isinf(x):
        return 0.0
    if x < a + 1:
        return max(0.0, 1.0 - _lower_series(a, x))
    return _upper_fraction(a, x)


def _prefactor(a: float, x: float) -> float:
    """x^a e^-x / Gamma(a), in logs so that large a and x do not overflow."""
    return math.exp(a * math.log(x) - x - math.lgamma(a))


def _lower_series(a: float, x: float) -> float:
    """P(a, x) = x^a e^-x / Gamma(a) * sum_n x^n / (a (a+1) ... (a+n))."""
    term = total = 1.0 / a
    ap = a
    for _ in range(_MAX_TERMS):
        ap += 1
        term *= x / ap
        total += term
        if term < total * _EPS:
            return total * _prefactor(a, x)
    raise ArithmeticError(f"the incomplete gamma series did not converge for a={a}, x={x}.")


def _upper_fraction(a: float, x: float) -> float:
    """Q(a, x) = x^a e^-x / Gamma(a) * 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...))), by
    the modified Lentz method."""
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1 / (d if abs(d) > _TINY else _TINY)
        c = b + an / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        if abs(d * c - 1) < _EPS:
            return h * _prefactor(a, x)
    raise ArithmeticError(f"the incomplete gamma continued fraction did not converge for a={a}, x={x}.")
