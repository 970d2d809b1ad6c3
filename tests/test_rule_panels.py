"""The rule panels' figure and table: each panel's bars are rnn_core's q, cut tokens drawn as
outlines at their tempered probability, titles with kept count, H and exp(H) computed by hand."""

import math

import numpy as np
import pytest

import rnn_core as rc
from ui.views import rule_panels as rp

VOCAB = ("a", "</s>", "<b>", "&")
Y = np.array([0.1, 0.4, 0.2, 0.3])
KNOBS = rc.Rule("sample", temperature=1.0, top_k=2, top_p=0.65, min_p=0.5, typical_p=0.45)


def test_each_panel_draws_its_q_and_the_cut_tokens_at_their_tempered_probability():
    panels = rc.decoding.rule_panels(np.log(Y), KNOBS)
    fig = rp.panels_figure(panels, VOCAB)
    assert len(fig.data) == 12
    # by hand (see tests/test_panels.py): top-k 2 keeps 1 and 3 -> [0, 4/7, 0, 3/7]
    cut, kept = fig.data[4], fig.data[5]
    assert list(kept.y) == pytest.approx([0, 4 / 7, 0, 3 / 7], rel=1e-12, abs=1e-15)
    assert list(cut.y) == pytest.approx([0.1, 0, 0.2, 0], rel=1e-12)
    assert list(kept.x) == ["a", "&lt;/s&gt;", "&lt;b&gt;", "&amp;"]


def test_titles_give_kept_count_entropy_and_effective_vocabulary():
    panels = rc.decoding.rule_panels(np.log(Y), KNOBS)
    titles = [a.text for a in rp.panels_figure(panels, VOCAB).layout.annotations]
    H = -(4 / 7 * math.log(4 / 7) + 3 / 7 * math.log(3 / 7))
    assert titles[2] == f"<b>top-k</b> · k = 2<br>keeps 2 of 4 · H = {H:.2f} nats · exp(H) = {math.exp(H):.2f}"
    assert titles[0].startswith("<b>greedy</b> · argmax<br>keeps 1 of 4 · H = 0.00 nats · exp(H) = 1.00")


def test_table_lists_kept_tokens_as_text():
    panels = rc.decoding.rule_panels(np.log(Y), KNOBS)
    table = rp.panels_table(panels, VOCAB)
    assert table["kept tokens"].tolist()[:3] == ["</s>", "a · </s> · <b> · &", "</s> · &"]
    assert table["kept"].tolist() == [1, 4, 2, 2, 3, 2]


def test_a_large_vocabulary_draws_the_most_probable_tokens_in_every_panel():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=300)
    panels = rc.decoding.rule_panels(logits, rc.Rule("sample", top_k=5))
    ids = rp.panel_ids(panels)
    assert len(ids) == rp.PANEL_BARS and np.all(np.diff(ids) > 0)
    assert set(ids) == set(np.argsort(-logits)[: rp.PANEL_BARS])
    fig = rp.panels_figure(panels, tuple(f"w{i}" for i in range(300)))
    assert all(len(trace.x) == rp.PANEL_BARS for trace in fig.data)
