"""ui/step_replay.py: the offline replay file of a walk. Each step's numbers equal the trace's,
recomputed here from the trace's own fields and the model's weights; the file references nothing
outside itself; tokens that mean something to HTML show as text."""

import re
from html.parser import HTMLParser

import numpy as np
import plotly.offline
import pytest

import rnn_core as rc
from tests.hostile_tokens import HOSTILE, hostile_model
from tests.replay_file import array_of, assert_shown, shown_numbers, tags_of, text_of, walk_data
from ui.step_replay import walk_html
from ui.step_settings import Settings
from ui.token_text import show_token


def walk(model: rc.Model, s: Settings, forks: dict | None = None) -> list[rc.StepTrace]:
    return rc.generate(model, [s.word], s.rule_obj(), max_tokens=s.max_len, seed=s.seed, forced=forks or {})


def softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max())
    return e / e.sum()


def assert_step_numbers(step: dict, tr: rc.StepTrace, model: rc.Model, prec: int) -> None:
    """The equations of one step, each number checked against what the trace's fields give."""
    shown = shown_numbers(step["math"])
    p = model.params
    a = tr.Wx_x + tr.Wh_h + tr.b_h  # a_t = W_x x_t + W_h h_{t-1} + b_h, summed here
    o = p.W_y @ np.tanh(a) + p.b_y  # o_t from the model's own W_y, b_y
    np.testing.assert_allclose(tr.x, p.embedding[tr.input_id])  # the trace really is this model's step
    assert_shown(shown["x"], p.embedding[tr.input_id], prec, f"x_{tr.t}")
    assert_shown(shown["Wx_x"], p.W_x @ tr.x, prec, f"W_x x_{tr.t}")
    assert_shown(shown["Wh_h"], p.W_h @ tr.h_prev, prec, f"W_h h_{tr.t - 1}")
    assert_shown(shown["b_h"], p.b_h, prec, "b_h")
    assert_shown(shown["a"], a, prec, f"a_{tr.t}")
    assert_shown(shown["h"], np.tanh(a), prec, f"h_{tr.t}")
    assert_shown(shown["o"], o, prec, f"o_{tr.t}")
    assert_shown(shown["y"], softmax(o), prec, f"y_{tr.t}")
    if tr.how == "sampled":
        assert_shown(shown["u"], [tr.draw], prec, f"u_{tr.t}")


@pytest.mark.parametrize("prec", [1, 3, 6])
def test_every_steps_numbers_are_the_traces_at_the_chosen_decimals(trained_seed, prec):
    s = Settings(word="I")
    traces = walk(trained_seed, s)
    steps = walk_data(walk_html(trained_seed, traces, s, prec=prec))["steps"]
    assert len(steps) == len(traces) == 4  # I -> love deep learning </s>
    for step, tr in zip(steps, traces):
        assert_step_numbers(step, tr, trained_seed, prec)


def test_each_steps_charts_hold_its_distribution_and_hidden_state(trained_seed):
    s = Settings(word="I", rule="greedy")
    traces = walk(trained_seed, s)
    for step, tr in zip(walk_data(walk_html(trained_seed, traces, s))["steps"], traces):
        bars = step["dist"]["data"][0]
        np.testing.assert_allclose(array_of(bars["y"]), softmax(tr.logits), rtol=0, atol=1e-12)
        assert [i for i, w in enumerate(bars["marker"]["line"]["width"]) if w > 0] == [tr.token_id]
        h_prev, h = step["hidden"]["data"]
        np.testing.assert_allclose(array_of(h["y"]), np.tanh(tr.a), rtol=0, atol=1e-12)
        np.testing.assert_allclose(array_of(h_prev["y"]), tr.h_prev, rtol=0, atol=0)
        assert step["dist"]["layout"]["height"] == 245 and step["hidden"]["layout"]["height"] == 200


def test_titles_count_the_steps_and_the_last_says_why_the_walk_ends(trained_seed):
    s = Settings(word="I", rule="greedy")
    traces = walk(trained_seed, s)
    document = walk_html(trained_seed, traces, s)
    steps = walk_data(document)["steps"]
    assert [st["title"] for st in steps] == ["step 1 of 4: feed “I”", "step 2 of 4: feed “love”",
                                             "step 3 of 4: feed “deep”", "step 4 of 4: feed “learning” · done"]
    assert [bool(st["end"]) for st in steps] == [False, False, False, True]
    assert "&lt;/s&gt; at step 4" in steps[-1]["end"]
    assert "<title>Walk · I love deep learning</title>" in document


def test_the_file_says_the_model_and_the_shape_of_W_y(trained_seed):
    s = Settings(word="I")
    document = walk_html(trained_seed, walk(trained_seed, s), s, prec=4)
    about = re.search(r"<div class=\"about\">(.*?)</div>", document).group(1)
    text = re.sub(r"<[^>]+>", "", about)
    assert "V = 5, E = 3, H = 3" in text and "Wy is V × H = 5 × 3 (the seed document writes it 3 × 3)" in text
    assert "rule: sample T=1" in text and "RNG seed 0" in text and "4 decimals" in text


def test_a_large_vocabulary_and_hidden_size_show_the_page_s_shortened_vectors_and_table():
    corpus = rc.make_corpus("abcdefghijklmnopqrstuvwxyz " * 2, "char")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=9, embed_dim=8, seed=2))
    s = Settings(word="a", max_len=3)
    traces = walk(model, s)
    step = walk_data(walk_html(model, traces, s))["steps"][0]
    shown = shown_numbers(step["math"])
    tr = traces[0]
    assert "…" in step["math"] and "⋮" in step["math"]
    assert_shown(shown["x"], np.r_[tr.x[:4], tr.x[-1:]], 3, "x_1")  # 8 entries: the first 4, …, the last
    assert_shown(shown["a"], np.r_[tr.a[:3], tr.a[-1:]], 3, "a_1")  # 9 rows: the first 3, ⋮, the last
    top = set(np.argsort(-tr.probs)[:10].tolist()) | {tr.token_id}  # the 10 most probable and the chosen
    ids = sorted(top)
    row_y = "".join(re.findall(r'<tr data-name="y">(.*?)</tr>', step["math"]))  # 12 columns: two tables
    assert [int(i) for i in re.findall(r'data-id="(\d+)"', row_y)] == ids
    assert_shown(shown["y"], tr.probs[ids], 3, "y_1")
    others = re.findall(r"<td>([-\d.]+)</td>", row_y)  # the "others" column: the rest of the mass
    assert_shown(others, [1 - tr.probs[ids].sum()], 3, "others")
    assert step["math"].count('<table class="out">') == 2


def test_forced_tokens_are_marked_and_named(trained_seed):
    s = Settings(word="I", rule="greedy")
    forks = {2: trained_seed.vocab.id("learning")}
    traces = walk(trained_seed, s, forks)
    document = walk_html(trained_seed, traces, s, forks)
    steps = walk_data(document)["steps"]
    assert "forced by you" in steps[1]["math"] and "✋ forced" in steps[2]["loop"]
    assert "forced: step 2 → " in document


# ---------------------------------------------------------------- nothing from outside


class _Resources(HTMLParser):
    """Every attribute that could load something, and the text of every style and script."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.links += [(tag, k, v) for k, v in attrs if k in ("src", "href", "xlink:href", "srcset", "data", "poster")]
        self.links += [(tag, k, v) for k, v in attrs if k == "style" and "url(" in (v or "")]
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


def test_the_file_loads_nothing_from_outside(trained_seed):
    """plotly.js is plotly's own bundle, inline; no element loads anything (no script src, link
    href, image, @import or font); apart from that bundle no web address at all is in the file
    (the SVG namespace is a name, not a request)."""
    s = Settings(word="I")
    document = walk_html(trained_seed, walk(trained_seed, s), s)
    found = _Resources()
    found.feed(document)
    assert found.links == []
    assert len(found.scripts) == 3 and plotly.offline.get_plotlyjs() in found.scripts
    assert "<link" not in document and "@import" not in document and "@font-face" not in document
    rest = document.replace(plotly.offline.get_plotlyjs(), "")
    addresses = set(re.findall(r"https?://[^\s\\\"'<>]*", rest, re.IGNORECASE))
    assert addresses <= {"http://www.w3.org/2000/svg"}, addresses
    assert "url(" not in "".join(found.styles)


# ---------------------------------------------------------------- hostile tokens


def hostile_walk(model: rc.Model) -> tuple[list[rc.StepTrace], dict]:
    s = Settings(word="<b>", rule="greedy", max_len=12)
    forks = {t: model.vocab.id(tok) for t, tok in enumerate(HOSTILE[1:-1], start=1)}  # feed every token in turn
    traces = walk(model, s, forks)
    return traces, walk_data(walk_html(model, traces, s, forks))


def test_tokens_that_mean_something_to_html_show_as_text():
    """Every hostile token is fed in once; each step's HTML holds only the file's own tags, and
    the token as text (a parser reads back “<b>”, not a bold tag)."""
    model = hostile_model()
    traces, data = hostile_walk(model)
    assert [tr.input for tr in traces[:len(HOSTILE) - 1]] == list(HOSTILE[:-1])
    own = {"div", "span", "i", "sub", "sup", "strong", "table", "tr", "th", "td"}
    for step, tr in zip(data["steps"], traces):
        assert tags_of(step["math"]) <= own
        assert tags_of(step["title"]) == set()
        shown = show_token(tr.input)
        assert f"feed “{shown}”" in text_of(step["title"]) and f"emb(“{shown}”)" in text_of(step["math"])
    first = data["steps"][0]
    assert "feed “&lt;b&gt;”" in first["title"] and "“&lt;b&gt;”" in first["math"]
    assert "“␣”" in data["steps"][HOSTILE.index(" ")]["title"]  # a space token is visible


def test_a_token_that_closes_a_script_cannot_end_the_embedded_data():
    vocab = ("</script><script>alert(1)</script>", "a", rc.EOS)
    params = rc.init_params(len(vocab), 2, 3, np.random.default_rng(0))
    model = rc.Model(params, rc.Vocab(vocab), "word", rc.TrainConfig(hidden_size=3, embed_dim=2), "</script>")
    s = Settings(word=vocab[0], rule="greedy", max_len=3)
    document = walk_html(model, walk(model, s), s)
    found = _Resources()
    found.feed(document)
    assert len(found.scripts) == 3  # the data, plotly.js, the stepping script: nothing injected
    steps = walk_data(document)["steps"]
    assert "“&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;”" in steps[0]["title"]
    assert "<title>Walk · &lt;/script&gt;</title>" in document
