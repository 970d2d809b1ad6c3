"""Influence of past tokens on a page: the shaded row reads rnn_core's norms, tokens escaped;
the heatmap is log10 of the lower triangle."""

import html
import re

import numpy as np
import pytest

import rnn_core as rc
from ui.views import influence_view


@pytest.fixture(scope="module")
def char_model():
    corpus = rc.make_corpus("a<b>&c a<b>&c\n", "char")
    return rc.new_model(corpus, rc.TrainConfig(hidden_size=6, embed_dim=4, seed=2))


def test_row_shades_each_input_by_its_share_of_the_largest_norm(char_model):
    traces = rc.generate(char_model, "a<b>&", rc.GREEDY, max_tokens=4)
    inf = influence_view.influence_of(char_model, traces, "x")
    t = 5
    out = influence_view.row_html(inf, t)
    alphas = [float(a) for a in re.findall(r"rgba\(31, 95, 191, ([0-9.]+)\)", out)]
    row = inf.norms[t - 1, :t]
    assert alphas == pytest.approx(row / row.max(), abs=1e-3)
    text = [html.unescape(s) for s in re.findall(r">([^<>]+)</span>", out)]
    assert text == list(inf.inputs[:t]) + [inf.predicted[t - 1]]
    assert "<b>" not in out


def test_heatmap_is_log10_of_the_lower_triangle(char_model):
    inf = rc.analysis.influence(char_model, "a<b>&c a", wrt="h")
    fig = influence_view.heatmap(inf, t=3)
    z = np.array(fig.data[0].z, dtype=float)
    T = len(inf.inputs)
    lower = np.tril(np.ones((T, T), bool))
    assert np.allclose(z[lower], np.log10(inf.norms[lower]))
    assert np.isnan(z[~lower]).all()
    assert all("<" not in label.split(": ")[1] for label in fig.data[0].x)
