"""The Train page's figures, tables and run bookkeeping, checked on real traces and a real run."""

import json
import math
import time

import numpy as np
import pytest

import rnn_core as rc
from ui import train_view as tv

SEED_TOKENS = ("I", "love", "deep", "learning", "</s>")


@pytest.fixture(scope="module")
def trained():
    model = rc.seed_model()
    return rc.train(model, rc.seed_corpus(), model.config)[0]


def test_loss_figure_draws_losses_and_their_exponentials(trained):
    losses = [2.0, 1.0, 0.5]
    fig = tv.loss_figure(losses, total=10)
    loss, ppl = fig.data
    assert list(loss.x) == [1, 2, 3] and list(loss.y) == losses
    assert list(ppl.y) == pytest.approx([math.e**2, math.e, math.e**0.5])
    assert list(fig.layout.xaxis.range) == [0, 10]
    assert "loss 0.5000" in fig.layout.title.text


def test_loss_figure_thins_a_long_curve_but_keeps_the_last_point():
    losses = [1.0 / (i + 1) for i in range(5001)]
    x = list(tv.loss_figure(losses).data[0].x)
    assert len(x) <= tv.MAX_CURVE_POINTS + 1
    assert x[0] == 1 and x[-1] == 5001


def test_snapshot_steps_are_evenly_spaced_from_the_start_to_the_end():
    assert tv.snapshot_steps(70) == [0, 10, 20, 30, 40, 50, 60, 70]
    assert tv.snapshot_steps(3) == [0, 1, 2, 3]
    assert tv.snapshot_steps(0) == [0]


def test_teacher_forced_table_reads_each_position_from_its_trace(trained):
    traces = rc.teacher_forced(trained, SEED_TOKENS)
    df = tv.teacher_forced_table(traces, trained.vocab.tokens)
    assert list(df["input"]) == ["I", "love", "deep", "learning"]
    assert list(df["target"]) == ["love", "deep", "learning", "</s>"]
    for row, tr in zip(df.itertuples(index=False), traces):
        assert row[3] == tr.probs[trained.vocab.id(tr.token)]  # p(target) is y_t at the true token
        top = max(range(len(tr.probs)), key=lambda v: tr.probs[v])
        assert row[4] == trained.vocab.tokens[top] and row[5] == tr.probs[top]
    assert df["top = target"].all()  # the trained seed model predicts its sentence


def test_teacher_forced_table_marks_a_wrong_top_choice():
    untrained = rc.seed_model()
    traces = rc.teacher_forced(untrained, SEED_TOKENS)
    df = tv.teacher_forced_table(traces, untrained.vocab.tokens)
    expected = [int(np.argmax(tr.probs)) == untrained.vocab.id(tr.token) for tr in traces]
    assert list(df["top = target"]) == expected and not all(expected)


def test_learning_heatmap_has_a_row_per_snapshot_and_p_of_the_truth_in_each_cell(trained):
    untrained = rc.seed_model()
    rows = [(0, rc.teacher_forced(untrained, SEED_TOKENS)), (60, rc.teacher_forced(trained, SEED_TOKENS))]
    fig = tv.learning_heatmap(rows, selected=1)
    heat = fig.data[0]
    assert list(heat.y) == ["step 0", "step 60"]
    assert list(heat.x) == ["1: I → love", "2: love → deep", "3: deep → learning", "4: learning → &lt;/s&gt;"]
    for r, (_, traces) in enumerate(rows):
        assert list(heat.z[r]) == [tr.probs[tr.token_id] for tr in traces]
    assert fig.layout.shapes[0].y0 == 0.5 and fig.layout.shapes[0].y1 == 1.5  # the selected row


def test_weight_figures_label_rows_by_token_and_show_the_values(trained):
    figs = tv.weight_figures(trained.params, trained.vocab.tokens)
    emb, W_y, W_h = figs["embedding"].data[0], figs["W_y"].data[0], figs["W_h"].data[0]
    labels = ["I", "love", "deep", "learning", "&lt;/s&gt;"]  # Plotly reads labels as HTML
    assert list(emb.y) == labels and list(emb.x) == ["x[0]", "x[1]", "x[2]"]
    assert np.array_equal(np.asarray(emb.z), trained.params.embedding)
    assert list(W_y.y) == labels and list(W_y.x) == ["h[0]", "h[1]", "h[2]"]
    assert np.array_equal(np.asarray(W_h.z), trained.params.W_h)
    assert figs["W_x"].layout.title.text == "W_x (3 x 3)" and figs["W_y"].layout.title.text == "W_y (5 x 3)"
    assert emb.zmid is None and emb.zmin == -emb.zmax  # symmetric: 0 is the middle colour
    assert emb.texttemplate == "%{z:.2f}"


def test_weight_heatmap_of_a_big_vocabulary_shows_the_first_rows_without_cell_text():
    W = np.arange(200 * 8, dtype=float).reshape(200, 8)
    fig = tv.weight_heatmap("W_y", W, [f"t{i}" for i in range(200)], [f"h[{i}]" for i in range(8)])
    assert len(fig.data[0].y) == tv.MAX_ROWS and fig.data[0].y[-1] == f"t{tv.MAX_ROWS - 1}"
    assert np.array_equal(np.asarray(fig.data[0].z), W[: tv.MAX_ROWS])
    assert fig.layout.title.text == f"W_y (200 x 8) · first {tv.MAX_ROWS} rows"
    assert fig.data[0].texttemplate is None


def test_whitespace_tokens_are_visible_on_axes():
    W = np.ones((3, 2))
    fig = tv.weight_heatmap("embedding", W, ["a", " ", "\n"], ["x[0]", "x[1]"])
    assert list(fig.data[0].y) == ["a", "␣", "⏎"]


def test_grad_norm_figure_has_a_bar_per_input_step(trained):
    norms = rc.sentence_grad_norms(trained, SEED_TOKENS)
    fig = tv.grad_norm_figure(norms, SEED_TOKENS)
    bar = fig.data[0]
    assert list(bar.x) == ["1: I", "2: love", "3: deep", "4: learning"]
    assert list(bar.y) == list(norms)
    assert fig.layout.yaxis.type == "log"


def test_sentence_choices_word_and_char():
    word = rc.make_corpus("a b c\nd e", "word")
    assert tv.sentence_choices(word) == [("a", "b", "c", "</s>"), ("d", "e", "</s>")]
    char = rc.make_corpus("ab\n\ncd\n", "char")
    assert tv.sentence_choices(char) == [("a", "b"), ("c", "d")]
    long = rc.make_corpus("x" * 500, "char")
    assert len(tv.sentence_choices(long)[0]) == tv.MAX_ROWS + 1


def test_start_model_of_the_seed_corpus_has_the_seed_documents_x_for_I():
    from rnn_core.corpora import builtin_corpus

    model = tv.start_model(builtin_corpus("seed: I love deep learning"), rc.TrainConfig())
    assert model.params.embedding[model.vocab.id("I")].tolist() == [0.1, 0.3, 0.5]
    other = tv.start_model(rc.make_corpus("I love deep learning", "word", "pasted text"), rc.TrainConfig())
    assert other.params.embedding[0].tolist() != [0.1, 0.3, 0.5]


def test_too_big_a_model_is_refused_with_a_config_error():
    corpus = rc.make_corpus(" ".join(f"w{i}" for i in range(12_000)), "word")
    with pytest.raises(rc.ConfigError, match="parameters"):
        tv.start_model(corpus, rc.TrainConfig(hidden_size=1024, embed_dim=1024))


def _run_with_stop(steps: int, stop_after: int | None):
    """A real training run whose callback is Run.on_step, stopped like the page's Stop does."""
    corpus = rc.seed_corpus()
    config = rc.TrainConfig(steps=steps)
    start = tv.start_model(corpus, config)
    run = tv.Run(start, steps, start.params)

    def on_step(info):
        run.on_step(info)
        return stop_after is None or info.step < stop_after

    return run, rc.train(start, corpus, config, on_step)


def test_run_keeps_evenly_spaced_snapshots_that_equal_the_weights_then():
    run, (model, report) = _run_with_stop(70, None)
    run.finish(model, report.status, report.message, report.losses)
    assert [s for s, _ in run.snapshots] == [0, 10, 20, 30, 40, 50, 60, 70]
    assert np.array_equal(run.snapshots[0][1].W_x, rc.seed_model().params.W_x)  # the untrained weights
    assert np.array_equal(run.snapshots[-1][1].W_h, model.params.W_h)
    shorter = rc.train(run.start, rc.seed_corpus(), rc.TrainConfig(steps=30))[0]
    assert np.array_equal(run.snapshots[3][1].W_y, shorter.params.W_y)  # step 30 of the same run
    assert run.snapshot_model(3).vocab == model.vocab


def test_partial_model_of_an_interrupted_run_equals_a_shorter_run():
    run, _ = _run_with_stop(60, 25)
    partial = run.partial_model()
    shorter, report = rc.train(run.start, rc.seed_corpus(), rc.TrainConfig(steps=25))
    assert partial.steps_trained == 25 and partial.last_loss == report.losses[-1]
    for name, value in shorter.params.as_dict().items():
        assert np.array_equal(getattr(partial.params, name), value), name
    run.finish(partial, "stopped", "stopped")
    assert run.snapshots[-1][0] == 25


def test_a_run_stopped_before_any_update_has_no_model():
    start = rc.seed_model()
    assert tv.Run(start, 10, start.params).partial_model() is None


def test_throttle_waits_the_interval_and_longer_after_a_slow_draw():
    throttle = tv.Throttle(interval=0.2, share=0.2)
    assert throttle.due()
    start = time.perf_counter()
    throttle.drew(start - 1.0)  # a draw that took a second
    assert throttle.cost >= 1.0
    throttle.last -= 1.0  # a second later: past the interval, but 5 s must pass after a 1 s draw
    assert not throttle.due()
    throttle.last -= 4.5
    assert throttle.due()
    assert tv.Throttle().due(final=True)


def test_figures_serialise_to_json(trained):
    """Streamlit sends figures as JSON: every builder's output must serialise."""
    traces = rc.teacher_forced(trained, SEED_TOKENS)
    figs = [tv.loss_figure([1.0, 0.5]), tv.learning_heatmap([(0, traces)]),
            tv.grad_norm_figure(np.array([0.1, 0.2, 0.3, 0.4]), SEED_TOKENS),
            *tv.weight_figures(trained.params, trained.vocab.tokens).values()]
    for fig in figs:
        json.loads(fig.to_json())


def test_sentence_choices_fall_back_to_the_whole_text_when_no_line_has_two_tokens():
    assert tv.sentence_choices(rc.make_corpus("a\nb\n", "char")) == [("a", "\n", "b", "\n")]
