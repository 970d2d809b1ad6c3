"""Draws against theory: the figure holds rnn_core's counts and N q; the p-value sentence."""

import numpy as np
import pytest

import rnn_core as rc
from ui.views import draws_view as dv

VOCAB = ("a", "</s>", "<b>", "c")


def test_figure_has_the_counts_and_the_expected_counts_of_possible_tokens():
    q = np.array([0.5, 0.3, 0.0, 0.2])
    counts = rc.decoding.draw_counts(q, 2000, seed=1)
    fig = dv.draws_figure(counts, VOCAB, t=3)
    expected, drawn = fig.data
    assert list(drawn.x) == ["a", "&lt;/s&gt;", "c"]  # q = 0 cannot be drawn: not drawn
    assert list(drawn.y) == counts.counts[[0, 1, 3]].tolist()
    assert list(expected.y) == pytest.approx([1000, 600, 400])
    assert sum(drawn.y) == 2000


@pytest.mark.parametrize("p, words", [(0.43, "the draws agree with q"), (0.004, "less than once in a hundred")])
def test_p_value_sentence_reads_the_test(p, words):
    test = rc.decoding.ChiSquare(statistic=1.5, df=2, p_value=p, bins=((0,), (1,), (2,)), observed=np.zeros(3),
                        expected=np.zeros(3))
    sentence = dv.p_value_sentence(test)
    assert f"p-value = {p:.3f}" in sentence and words in sentence and sentence.count(".") <= 4


def test_nothing_to_test_when_one_token_takes_every_draw():
    counts = rc.decoding.draw_counts(np.array([0.0, 1.0, 0.0, 0.0]), 100)
    assert counts.test.p_value is None
    assert "nothing to test" in dv.p_value_sentence(counts.test)
