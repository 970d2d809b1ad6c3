"""Inside one sample: the temperature explorer's figure, y_t with q_t beside it when the rule
reshaped it, and the step's one-line summary with its tokens shown as text."""

import math
import re

import numpy as np
import pytest

import rnn_core as rc
from tests.app.conftest import shown
from ui.generate import inspect_view


@pytest.fixture(scope="module")
def seed():
    model = rc.seed_model()
    return rc.train(model, rc.seed_corpus(), model.config)[0]


@pytest.mark.parametrize("T", [0.25, 1.0, 2.5])
def test_temperature_figure_is_softmax_of_logits_over_T(seed, T):
    traces = rc.generate(seed, "I", rc.Rule("sample", 1.0), max_tokens=5, seed=2)
    trace = traces[1]
    fig = inspect_view.temperature_figure(trace, seed.vocab.tokens, T)
    e = [math.exp(o / T) for o in trace.logits.tolist()]
    expected = [v / sum(e) for v in e]
    base, reshaped = fig.data
    labels = ["I", "love", "deep", "learning", "&lt;/s&gt;"]  # Plotly reads labels as HTML
    assert list(base.x) == labels and list(reshaped.x) == labels
    assert list(reshaped.y) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    e1 = [math.exp(o) for o in trace.logits.tolist()]
    assert list(base.y) == pytest.approx([v / sum(e1) for v in e1], rel=1e-12, abs=1e-15)


def test_low_temperature_sharpens_high_flattens(seed):
    trace = rc.generate(seed, "I", rc.Rule("sample", 1.0), max_tokens=3, seed=0)[0]
    top = int(np.argmax(trace.probs))
    cold = inspect_view.temperature_figure(trace, seed.vocab.tokens, 0.3).data[1].y
    hot = inspect_view.temperature_figure(trace, seed.vocab.tokens, 3.0).data[1].y
    assert cold[top] > trace.probs[top] > hot[top]


def test_q_is_drawn_beside_y_only_when_the_rule_reshaped_y(seed):
    rule = rc.Rule("sample", temperature=5.0, top_k=2)
    trace = rc.generate(seed, "I", rule, max_tokens=5, seed=0)[1]
    fig = inspect_view.distribution_figure(trace, seed.vocab.tokens)
    q, y = fig.data  # q_t filled, y_t outlined on top
    assert list(y.y) == list(trace.probs)
    # by hand: softmax(o / 5) over the two most probable tokens of y, zero elsewhere
    e = np.exp(trace.logits / 5.0)
    top2 = np.argsort(-trace.probs)[:2]
    expected = np.zeros(5)
    expected[top2] = e[top2] / e[top2].sum()
    assert np.allclose(q.y, expected, rtol=1e-12, atol=0)
    plain = rc.generate(seed, "I", rc.Rule("sample"), max_tokens=5, seed=0)[1]
    assert len(inspect_view.distribution_figure(plain, seed.vocab.tokens).data) == 1


def test_titles_and_step_line_escape_the_chosen_token():
    corpus = rc.make_corpus("a<b>&c$x$_*", "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=4, embed_dim=4, seed=1))
    traces = rc.generate(model, "a", rc.Rule("sample", temperature=3.0, top_k=4), max_tokens=60, seed=0)
    for tr in traces:
        title = inspect_view.distribution_figure(tr, model.vocab.tokens).layout.title.text
        assert "<" not in re.sub(r"<br>|</?sub>", "", title) and "chose “" in title
        line = inspect_view.step_line(tr, 1)
        assert f"chose “{tr.token}”" in shown(line) and f"fed “{tr.input}”" in shown(line)
    assert {tr.token for tr in traces} & set("<>&$_*")  # the escaping was exercised
