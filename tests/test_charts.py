"""ui/charts.py, the shared figures, checked on traces whose numbers are known by hand.

The hand model of conftest gives, from 'a' with h_0 = 0: h_1 = [0.6, -0.8], o_1 = [3, -4, 0] + b_y.
"""

import math

import numpy as np
import pytest

import rnn_core as rc
from tests.conftest import hand_model
from ui import charts


def softmax_by_hand(o):
    e = [math.exp(v) for v in o]
    return [v / sum(e) for v in e]


def step_one(rule=rc.GREEDY, b_y=(0.0, 0.0, 0.0), seed=0, forced=None) -> rc.StepTrace:
    return rc.generate(hand_model(b_y), "a", rule, max_tokens=1, seed=seed, forced=forced)[0]


VOCAB = ("a", "b", rc.EOS)


def test_distribution_bars_are_y_t_with_token_labels_ids_and_p_text():
    fig = charts.distribution_figure(step_one(), VOCAB)
    (bar,) = fig.data
    y = softmax_by_hand([3, -4, 0])
    np.testing.assert_allclose(bar.y, y, rtol=1e-12)
    assert list(bar.x)[:2] == ["a", "b"]
    assert list(bar.customdata) == [0, 1, 2]
    assert list(bar.text) == [f"{p:.3f}" for p in y]


@pytest.mark.parametrize("forced", [None, {1: 1}, {1: 2}])
def test_only_the_chosen_token_is_outlined_and_opaque(forced):
    tr = step_one(forced=forced)
    expected = 0 if forced is None else forced[1]  # greedy picks 'a' (o = [3, -4, 0])
    bar = charts.distribution_figure(tr, VOCAB).data[0]
    assert [i for i, w in enumerate(bar.marker.line.width) if w > 0] == [expected]
    assert bar.marker.opacity is None  # a per-bar opacity list would stop Plotly reporting clicks
    assert [i for i, c in enumerate(bar.marker.color) if c.endswith(", 1)")] == [expected]
    assert bar.marker.color[expected] == rgba_by_hand(charts.token_color(expected), 1)


def rgba_by_hand(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def test_eos_and_whitespace_labels_survive_plotly_html():
    assert charts.axis_label("</s>") == "&lt;/s&gt;"
    assert charts.axis_label(" ") == "␣" and charts.axis_label("&") == "&amp;"
    assert list(charts.distribution_figure(step_one(), VOCAB).data[0].x)[2] == "&lt;/s&gt;"


def test_chosen_markers_shrink_to_fit_many_steps():
    model = hand_model((0.0, 0.0, -50.0))  # '</s>' never picked: runs to the limit
    short = rc.generate(model, "a", rc.Rule("sample"), max_tokens=5)
    long = rc.generate(model, "a", rc.Rule("sample"), max_tokens=200)
    assert charts.distributions_heatmap(short, VOCAB).data[1].marker.size == 11
    assert charts.distributions_heatmap(long, VOCAB).data[1].marker.size == 3


def test_top_k_and_top_p_grey_out_the_cut_tokens():
    b_y = (0.0, 6.5, 2.0)  # o_1 = [3, 2.5, 2]: y = [0.51, 0.31, 0.19]
    k1 = charts.distribution_figure(step_one(rc.Rule("sample", top_k=1), b_y), VOCAB).data[0]
    grey = rgba_by_hand(charts.GREY, 0.6)
    assert list(k1.marker.color) == [rgba_by_hand(charts.token_color(0), 1), grey, grey]
    y = softmax_by_hand([3, 2.5, 2])
    p = y[0] + y[1] / 2  # needs 'a' and 'b' to reach it; '</s>' is cut
    tr = step_one(rc.Rule("sample", top_p=p), b_y)
    top_p = charts.distribution_figure(tr, VOCAB).data[0]
    kept = [rgba_by_hand(charts.token_color(v), 1 if v == tr.token_id else 0.45) for v in (0, 1)]
    assert list(top_p.marker.color) == kept + [grey]
    # the bars still show y_t itself, not the renormalised q_t
    np.testing.assert_allclose(top_p.y, y, rtol=1e-12)


def test_large_vocabularies_show_the_most_probable_bars_and_the_chosen_one():
    model = rc.new_model(rc.make_corpus("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "char"),
                         rc.TrainConfig(hidden_size=4, embed_dim=2))
    assert len(model.vocab) > charts.MAX_BARS
    least = int(np.argmin(rc.generate(model, "a", rc.GREEDY, max_tokens=1)[0].probs))
    tr = rc.generate(model, "a", rc.GREEDY, max_tokens=1, forced={1: least})[0]
    bar = charts.distribution_figure(tr, model.vocab.tokens).data[0]
    ids = list(bar.customdata)
    assert least in ids and len(ids) == charts.MAX_BARS + 1
    top = set(np.argsort(-tr.probs)[: charts.MAX_BARS])
    assert set(ids) == top | {least}


def test_hidden_figure_puts_h_prev_beside_h_on_a_fixed_axis():
    traces = rc.generate(hand_model(b_y=(0.0, 6.5, 2.0)), "a", rc.Rule("sample"), max_tokens=3, seed=1)
    ranges = []
    for tr in traces:
        fig = charts.hidden_figure(tr)
        prev, now = fig.data
        np.testing.assert_allclose(prev.y, tr.h_prev)
        np.testing.assert_allclose(now.y, tr.h)
        ranges.append(tuple(fig.layout.yaxis.range))
    np.testing.assert_allclose(charts.hidden_figure(traces[0]).data[1].y, [0.6, -0.8], atol=1e-12)
    np.testing.assert_allclose(charts.hidden_figure(traces[0]).data[0].y, [0.0, 0.0])
    assert len(set(ranges)) == 1  # the axis does not move between steps
    low, high = ranges[0]
    assert low <= -1 and high >= 1


def test_trajectory_points_are_h_0_to_h_upto_inside_the_cube(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    for upto in range(1, len(traces) + 1):
        fig = charts.trajectory_figure(traces, upto)
        (path,) = fig.data
        xyz = np.stack([path.x, path.y, path.z], axis=1)
        expected = np.array([np.zeros(3)] + [tr.h for tr in traces[:upto]])
        np.testing.assert_allclose(xyz, expected, atol=1e-15)
        for axis in (fig.layout.scene.xaxis, fig.layout.scene.yaxis, fig.layout.scene.zaxis):
            assert tuple(axis.range) == (-1, 1)
    assert list(charts.trajectory_figure(traces, 2).data[0].text) == ["h_0", "h_1 (I)", "h_2 (love)"]


def test_hidden_heatmap_is_h_over_steps_on_a_symmetric_scale(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    fig = charts.hidden_heatmap(traces, 3)
    (heat,) = fig.data
    np.testing.assert_allclose(np.array(heat.z), np.array([tr.h for tr in traces[:3]]).T)
    assert (heat.zmin, heat.zmax) == (-1, 1)
    assert list(heat.x) == ["1: I", "2: love", "3: deep"]


def test_distributions_heatmap_rows_are_y_t_and_marks_the_chosen_tokens(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    heat, marks = charts.distributions_heatmap(traces, trained_seed.vocab.tokens).data
    np.testing.assert_allclose(np.array(heat.z), np.array([tr.probs for tr in traces]))
    assert list(marks.x) == ["love", "deep", "learning", "&lt;/s&gt;"]  # escaped for Plotly


def test_token_colours_are_stable_and_distinct_for_a_small_vocabulary():
    colors = [charts.token_color(v) for v in range(5)]
    assert len(set(colors)) == 5
    assert charts.token_color(3) == colors[3]
