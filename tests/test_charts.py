"""ui/common/charts.py, the shared figures, checked on traces whose numbers are known by hand.

The hand model of conftest gives, from 'a' with h_0 = 0: h_1 = [0.6, -0.8], o_1 = [3, -4, 0] + b_y.
"""

import itertools
import math
import re

import numpy as np
import pytest

import rnn_core as rc
from tests.conftest import hand_model
from tests.hostile_tokens import HOSTILE, hostile_model
from ui.common import charts


def softmax_by_hand(o):
    e = [math.exp(v) for v in o]
    return [v / sum(e) for v in e]


def step_one(rule=rc.GREEDY, b_y=(0.0, 0.0, 0.0), seed=0, forced=None) -> rc.StepTrace:
    return rc.generate(hand_model(b_y), "a", rule, max_tokens=1, seed=seed, forced=forced)[0]


VOCAB = ("a", "b", rc.EOS)
PLAUSIBLE = (0.0, 6.5, 2.0)  # o_1 = [3, 2.5, 2]: every token plausible


def rgba_by_hand(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha:g})"


def test_distribution_bars_are_y_t_with_token_labels_ids_and_p_text():
    fig = charts.distribution_figure(step_one(), VOCAB)
    (bar,) = fig.data
    y = softmax_by_hand([3, -4, 0])
    np.testing.assert_allclose(bar.y, y, rtol=1e-12)
    assert list(bar.x)[:2] == ["a", "b"]
    assert list(bar.customdata) == [0, 1, 2]
    assert list(bar.text) == [f"{p:.3f}" for p in y]
    assert fig.layout.title.text.startswith("y<sub>1</sub> = softmax(o<sub>1</sub>)")  # no y_1 beside typeset math
    assert fig.layout.xaxis.title.text == "next token" and fig.layout.yaxis.title.text == "probability"


@pytest.mark.parametrize("forced", [None, {1: 1}, {1: 2}])
def test_only_the_chosen_token_is_outlined_and_opaque(forced):
    tr = step_one(forced=forced)
    expected = 0 if forced is None else forced[1]  # greedy picks 'a' (o = [3, -4, 0])
    bar = charts.distribution_figure(tr, VOCAB).data[0]
    assert [i for i, w in enumerate(bar.marker.line.width) if w > 0] == [expected]
    assert bar.marker.opacity is None  # a per-bar opacity list would stop Plotly reporting clicks
    assert [i for i, c in enumerate(bar.marker.color) if c.endswith(", 1)")] == [expected]
    assert bar.marker.color[expected] == rgba_by_hand(charts.token_color(expected), 1)


def test_a_reshaped_distribution_shows_q_filled_and_y_as_an_outline():
    """A bug once: at T = 5 with top-k = 2 the chart showed y_t while the pick was drawn from q_t."""
    tr = step_one(rc.Rule("sample", temperature=0.5), PLAUSIBLE, seed=1)
    fig = charts.distribution_figure(tr, VOCAB)
    q_bars, y_bars = fig.data
    np.testing.assert_allclose(q_bars.y, softmax_by_hand([6, 5, 4]), rtol=1e-12)  # softmax(o / 0.5)
    np.testing.assert_allclose(y_bars.y, softmax_by_hand([3, 2.5, 2]), rtol=1e-12)
    assert q_bars.name == "q<sub>1</sub>" and y_bars.name == "y<sub>1</sub>"
    assert set(y_bars.marker.color) == {"rgba(0, 0, 0, 0)"} and y_bars.marker.line.width > 0  # outline only
    assert fig.layout.barmode == "overlay"
    assert fig.layout.title.text.startswith("q<sub>1</sub> (filled) and y<sub>1</sub> (outline)")


def test_top_k_and_top_p_grey_out_the_cut_tokens():
    y = softmax_by_hand([3, 2.5, 2])
    k1 = charts.distribution_figure(step_one(rc.Rule("sample", top_k=1), PLAUSIBLE), VOCAB)
    grey = rgba_by_hand(charts.GREY, 0.6)
    q_bars, y_bars = k1.data
    np.testing.assert_allclose(q_bars.y, [1, 0, 0])  # all the mass on the one token kept
    assert list(q_bars.marker.color) == [rgba_by_hand(charts.token_color(0), 1), grey, grey]
    assert list(y_bars.marker.color) == ["rgba(0, 0, 0, 0)", grey, grey]  # y_t outlined, cut ones grey
    np.testing.assert_allclose(y_bars.y, y, rtol=1e-12)
    p = y[0] + y[1] / 2  # needs 'a' and 'b' to reach it; '</s>' is cut
    tr = step_one(rc.Rule("sample", top_p=p), PLAUSIBLE)
    q_bars = charts.distribution_figure(tr, VOCAB).data[0]
    kept = [rgba_by_hand(charts.token_color(v), 1 if v == tr.token_id else 0.45) for v in (0, 1)]
    assert list(q_bars.marker.color) == kept + [grey]
    np.testing.assert_allclose(q_bars.y, [y[0] / (y[0] + y[1]), y[1] / (y[0] + y[1]), 0], rtol=1e-12)


def test_large_vocabularies_show_the_top_bars_the_chosen_one_and_the_rest_as_others():
    model = rc.new_model(rc.make_corpus("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ", "char"),
                         rc.TrainConfig(hidden_size=4, embed_dim=2))
    assert len(model.vocab) > charts.MAX_BARS
    least = int(np.argmin(rc.generate(model, "a", rc.GREEDY, max_tokens=1)[0].probs))
    tr = rc.generate(model, "a", rc.GREEDY, max_tokens=1, forced={1: least})[0]
    bar = charts.distribution_figure(tr, model.vocab.tokens).data[0]
    ids = list(bar.customdata)
    top = set(np.argsort(-tr.probs)[: charts.MAX_BARS])
    assert set(ids[:-1]) == top | {least} and ids[-1] == -1
    rest = [v for v in range(len(model.vocab)) if v not in top | {least}]
    assert bar.x[-1] == f"others ({len(rest)})"
    assert bar.y[-1] == pytest.approx(sum(tr.probs[v] for v in rest), abs=1e-12)
    assert sum(bar.y) == pytest.approx(1.0)  # nothing of the distribution is left out


def plotly_strings(fig) -> list[str]:
    """Every string of a figure that Plotly renders as pseudo-HTML."""
    out = [fig.layout.title.text or ""]
    for trace in fig.data:
        for field in ("x", "y", "text", "hovertemplate", "name"):
            value = getattr(trace, field, None)
            if isinstance(value, str):
                out.append(value)
            elif value is not None and len(value) and isinstance(value[0], str):
                out.extend(value)
    return out


def test_every_token_is_escaped_wherever_it_reaches_plotly():
    """`</s>` vanished from titles: Plotly reads '<...>' as a tag and '$...$' as LaTeX."""
    model = hostile_model()
    vocab = model.vocab.tokens
    traces = rc.generate(model, ["<b>"], rc.Rule("sample"), max_tokens=6, seed=0, forced={1: vocab.index(rc.EOS)})
    figures = [charts.distribution_figure(traces[0], vocab), charts.distributions_heatmap(traces, vocab),
               charts.trajectory_figure(traces, 1), charts.hidden_heatmap(traces)]
    strings = [s for fig in figures for s in plotly_strings(fig)]
    for raw in ("<b>", "</s>", "$x$"):
        assert not [s for s in strings if raw in s], raw
    assert not [s for s in strings if re.search(r"&(?!amp;|lt;|gt;|#36;)", s)]  # every '&' starts an entity
    assert "chose “&lt;/s&gt;” (forced by you)" in figures[0].layout.title.text
    assert list(figures[0].data[0].x) == ["&lt;b&gt;", "&#36;x&#36;", "\\frac", "**", "}", "&amp;", "_", "␣",
                                          "&lt;/s&gt;"]
    assert len(vocab) == len(HOSTILE)


def test_hidden_bars_keep_labels_near_plus_minus_one_and_need_no_legend():
    """h_4[2] = 0.985 lost its label (drawn past the axis and clipped); with H = 8 the legend
    covered a bar."""
    model = rc.new_model(rc.make_corpus("one two three four five", "word"), rc.TrainConfig(hidden_size=8, embed_dim=3))
    tr = rc.generate(model, "one", rc.GREEDY, max_tokens=1)[0]
    fig = charts.hidden_figure(tr)
    prev, now = fig.data
    assert list(now.text) == [f"{v:.3f}" for v in tr.h]  # every unit labelled
    assert now.cliponaxis is False  # a label beyond the axis range is still drawn
    low, high = fig.layout.yaxis.range
    assert low <= -1.3 and high >= 1.3  # and there is room for it above 1 and below -1
    assert fig.layout.showlegend is False  # the title names the colours instead
    assert "h<sub>0</sub>" in fig.layout.title.text and "h<sub>1</sub>" in fig.layout.title.text
    assert list(now.x) == [f"unit {i}" for i in range(1, 9)]  # units counted from 1, as steps are
    assert fig.layout.xaxis.title.text == "hidden unit" and fig.layout.yaxis.title.text == "value"


def test_many_hidden_units_become_a_two_row_strip():
    model = rc.new_model(rc.make_corpus("one two three", "word"), rc.TrainConfig(hidden_size=128, embed_dim=3))
    traces = rc.generate(model, "one", rc.GREEDY, max_tokens=2, forced={1: model.vocab.id("two")})
    (strip,) = charts.hidden_figure(traces[1]).data
    assert strip.type == "heatmap"
    np.testing.assert_allclose(np.array(strip.z), np.stack([traces[1].h_prev, traces[1].h]))
    assert (strip.zmin, strip.zmax) == (-1, 1) and list(strip.y) == ["h<sub>1</sub>", "h<sub>2</sub>"]
    assert strip.colorbar.title.text == "value" and list(strip.x)[:2] == [1, 2]
    assert charts.hidden_figure(traces[0]).data[0].type == "heatmap"
    small = rc.new_model(rc.make_corpus("one two three", "word"), rc.TrainConfig(hidden_size=charts.MAX_HIDDEN_BARS))
    assert charts.hidden_figure(rc.generate(small, "one", rc.GREEDY, max_tokens=1)[0]).data[0].type == "bar"


def test_every_h_chart_colours_minus_one_dark_blue_and_plus_one_dark_red(trained_seed):
    """ColorBrewer's RdBu runs from #67001f (dark red) to #053061 (dark blue); reversed, the scale's
    last colour sits at zmin = -1. Spelled out as a list: the name alone would reach plotly.js,
    whose own 'RdBu' runs blue to red, so reversed it painted -1 red."""
    wide = rc.new_model(rc.make_corpus("one two three", "word"), rc.TrainConfig(hidden_size=128, embed_dim=3))
    (strip,) = charts.hidden_figure(rc.generate(wide, "one", rc.GREEDY, max_tokens=1)[0]).data
    (heat,) = charts.hidden_heatmap(rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=3)).data
    for trace in (strip, heat):
        assert (trace.zmin, trace.zmax) == (-1, 1) and trace.reversescale
        assert [list(stop) for stop in trace.colorscale][0] == [0.0, "rgb(103,0,31)"]
        assert [list(stop) for stop in trace.colorscale][-1] == [1.0, "rgb(5,48,97)"]


def test_hidden_figure_puts_h_prev_beside_h_on_a_fixed_axis():
    traces = rc.generate(hand_model(b_y=PLAUSIBLE), "a", rc.Rule("sample"), max_tokens=3, seed=1)
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


def test_chosen_markers_shrink_to_fit_many_steps():
    model = hand_model((0.0, 0.0, -50.0))  # '</s>' never picked: runs to the limit
    short = rc.generate(model, "a", rc.Rule("sample"), max_tokens=5)
    long = rc.generate(model, "a", rc.Rule("sample"), max_tokens=200)
    assert charts.distributions_heatmap(short, VOCAB).data[1].marker.size == 11
    assert charts.distributions_heatmap(long, VOCAB).data[1].marker.size == 3


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
    assert list(charts.trajectory_figure(traces, 2).data[0].text) == ["h<sub>0</sub>", "h<sub>1</sub> (I)",
                                                                       "h<sub>2</sub> (love)"]


def projected(points: np.ndarray, eye: dict) -> np.ndarray:
    """Points (n, 3) as seen by a camera at ``eye`` looking at the centre: their coordinates on
    the plane at right angles to the line of sight (an orthographic view)."""
    e = np.array([eye["x"], eye["y"], eye["z"]], dtype=float)
    e /= np.linalg.norm(e)
    right = np.cross([0.0, 0.0, 1.0], e)
    right = right / np.linalg.norm(right) if np.linalg.norm(right) > 1e-9 else np.array([1.0, 0.0, 0.0])
    up = np.cross(e, right)
    return np.stack([points @ right, points @ up], axis=1)


def test_the_default_view_shows_the_seed_walks_first_move_long_and_its_labels_apart(trained_seed):
    """h_0 = 0 -> h_1 ~ (-.94, -.94, -.95) runs along the cube's diagonal: the old corner view
    looked straight along it (a stub, the h_0 and h_1 labels on top of each other)."""
    traces = rc.generate(trained_seed, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    points = np.array([np.zeros(3)] + [tr.h for tr in traces])
    assert np.allclose(points[1], -0.94, atol=0.02)
    eye = charts.trajectory_figure(traces, 1).layout.scene.camera.eye
    eye = dict(x=eye.x, y=eye.y, z=eye.z)
    flat = projected(points, eye)
    first = np.linalg.norm(flat[1] - flat[0]) / np.linalg.norm(points[1] - points[0])
    assert first >= 0.8  # at least 80% of the move's length is seen
    assert min(np.linalg.norm(flat[i] - flat[j]) for i, j in itertools.combinations(range(len(points)), 2)) > 0.5
    corner = projected(points, charts.CAMERAS["corner"])
    assert np.linalg.norm(corner[1] - corner[0]) / np.linalg.norm(points[1] - points[0]) < 0.3  # the old view
    later = charts.trajectory_figure(traces, 4).layout.scene.camera.eye
    assert later == charts.trajectory_figure(traces, 1).layout.scene.camera.eye  # stepping never turns the cube


def test_hidden_heatmap_is_h_over_steps_on_a_symmetric_scale(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    fig = charts.hidden_heatmap(traces, 3)
    (heat,) = fig.data
    np.testing.assert_allclose(np.array(heat.z), np.array([tr.h for tr in traces[:3]]).T)
    assert (heat.zmin, heat.zmax) == (-1, 1)
    assert list(heat.x) == ["1: I", "2: love", "3: deep"]
    assert list(heat.y) == ["unit 1", "unit 2", "unit 3"]  # 1-based, as every page names a unit


def test_distributions_heatmap_rows_are_y_t_and_marks_the_chosen_tokens(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    heat, marks = charts.distributions_heatmap(traces, trained_seed.vocab.tokens).data
    np.testing.assert_allclose(np.array(heat.z), np.array([tr.probs for tr in traces]))
    assert list(marks.x) == ["love", "deep", "learning", "&lt;/s&gt;"]  # escaped for Plotly


def test_token_colours_are_stable_and_distinct_for_a_small_vocabulary():
    colors = [charts.token_color(v) for v in range(5)]
    assert len(set(colors)) == 5
    assert charts.token_color(3) == colors[3]


def test_the_step_charts_title_every_axis_and_colour_bar_and_typeset_their_titles(trained_seed):
    """No axis without a title, no colour bar without one, hidden units named 'unit 1'..'unit H',
    and no 'y_t' with an underscore in a title (Plotly writes subscripts as <sub>)."""
    traces = rc.generate(trained_seed, "I", rc.GREEDY, max_tokens=20)
    hidden, dists = charts.hidden_heatmap(traces), charts.distributions_heatmap(traces, trained_seed.vocab.tokens)
    for fig, x, y, bar in ((hidden, "step: input token", "hidden unit", "value of h"),
                           (dists, "next token", "step: input token", "probability")):
        assert (fig.layout.xaxis.title.text, fig.layout.yaxis.title.text) == (x, y)
        assert fig.data[0].colorbar.title.text == bar
        assert "_" not in fig.layout.title.text
    assert hidden.layout.title.text == "hidden state h<sub>t</sub> over steps"
    scene = charts.trajectory_figure(traces, 2).layout.scene
    assert [scene.xaxis.title.text, scene.yaxis.title.text, scene.zaxis.title.text] == ["unit 1", "unit 2", "unit 3"]
    assert not [name for name in charts.CAMERAS if "[" in name]  # views named by 1-based units too
