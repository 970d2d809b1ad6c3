"""Beam search drawn: what the view keeps of a BeamResult, the node positions, the table and
the verdict, on the built-in corpus where beam search beats greedy."""

import math

import pytest

import rnn_core as rc
from rnn_core.corpora import BUILTINS, builtin_corpus
from ui.generate import beam_view
from ui.generate.state import Settings


@pytest.fixture(scope="module")
def like_love():
    corpus = builtin_corpus(beam_view.BEAM_EXAMPLE)
    model = rc.new_model(corpus, BUILTINS[beam_view.BEAM_EXAMPLE].config())
    return rc.train(model, corpus, model.config)[0]


@pytest.fixture(scope="module")
def drawing(like_love):
    return beam_view.search(like_love, Settings("I", rc.GREEDY, max_tokens=20, n=1, seed=0, weights=0), 2, False)


def test_the_drawing_keeps_no_traces_and_beam_beats_greedy(like_love, drawing):
    vocab = like_love.vocab.tokens
    assert not hasattr(drawing, "traces") and not hasattr(drawing, "greedy")
    assert [vocab[i] for i in drawing.best.ids] == ["love", "music", "</s>"]
    assert [vocab[i] for i in drawing.greedy_ids][0] == "like"
    # by hand from the trained model's own steps: log P of each continuation
    greedy = rc.generate(like_love, "I", rc.GREEDY, max_tokens=20)
    assert drawing.greedy_log_p == pytest.approx(sum(math.log(tr.probs[tr.token_id]) for tr in greedy), rel=1e-12)
    best = rc.generate(like_love, "I love music", rc.GREEDY, max_tokens=1)
    log_p = sum(math.log(tr.probs[tr.token_id]) for tr in best)  # I->love, love->music, music->?
    assert best[-1].token == "</s>" and drawing.best.log_p == pytest.approx(log_p, rel=1e-12)
    assert "times as probable as greedy's" in beam_view.verdict(drawing)
    assert f"{math.exp(drawing.best.log_p - drawing.greedy_log_p):.2f} times" in beam_view.verdict(drawing)


def test_positions_put_kept_first_then_the_best_pruned(drawing):
    where = beam_view.positions(drawing.steps)
    for k, step in enumerate(drawing.steps, start=1):
        for row, h in enumerate(step.kept + step.pruned[: beam_view.PRUNED_DRAWN]):
            assert where[h.ids] == (k, row)
            assert h.ids[:-1] in where or k == 1  # every drawn node's parent is drawn


def test_figure_labels_are_escaped_and_carry_log_p(like_love, drawing):
    fig = beam_view.beam_figure(drawing, like_love.vocab.tokens, "I <b>")
    texts = [a.text for a in fig.layout.annotations]
    assert texts[-1] == "I &lt;b&gt;"  # the prompt, as text
    assert all("</s>" not in t for t in texts)
    first = drawing.steps[0].kept[0]
    assert texts[0] == f"{like_love.vocab.tokens[first.ids[-1]]}<br>{first.log_p:.2f}"


def test_table_ranks_complete_sentences_and_ends_with_greedy(like_love, drawing):
    table = beam_view.complete_table(drawing, like_love)
    assert table["continuation"].tolist()[0] == "love music </s>"
    assert table["found by"].tolist()[-1] == "greedy"
    assert table["P"].tolist() == pytest.approx([math.exp(x) for x in table["log p"]])


def test_the_table_has_no_missing_value_greedy_is_marked_not_ranked(like_love, drawing):
    """Greedy's score used to be Python's None, which the page's table printed as 'None'."""
    table = beam_view.complete_table(drawing, like_love)
    assert not table.isna().any().any()
    scores = table["score"].tolist()
    assert scores[-1] == beam_view.NOT_RANKED == "—"
    assert scores[:-1] == [f"{h.score:.4f}" for h in drawing.complete]


def test_the_trees_lines_pass_behind_the_labels_and_its_axes_are_titled(like_love, drawing):
    """The pruned dotted lines ran through the labels (-4.77, -4.99): labels are now annotations,
    which Plotly draws above every trace, each on an opaque box just above its marker."""
    fig = beam_view.beam_figure(drawing, like_love.vocab.tokens, "I")
    *lines, nodes = fig.data
    assert all(t.mode == "lines" for t in lines) and nodes.mode == "markers"
    notes = fig.layout.annotations
    assert len(notes) == len(nodes.x)  # one label per node, the prompt's included
    assert [(a.x, a.y) for a in notes] == list(zip(nodes.x, nodes.y))
    assert all(a.bgcolor == beam_view.LABEL_BACKGROUND and a.yanchor == "bottom" and a.yshift > 0 for a in notes)
    assert fig.layout.xaxis.title.text.startswith("generated token")
    assert fig.layout.yaxis.title.text.startswith("hypotheses") and fig.layout.yaxis.showticklabels is False
