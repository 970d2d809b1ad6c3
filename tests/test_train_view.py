"""The Train page's figures and tables, checked on real traces, a real training history and
rnn_core's own records: the numbers drawn are rnn_core's, labels are escaped."""

import json
import math

import numpy as np
import pytest

import rnn_core as rc
from ui.train import memory_view
from ui.train import view as train_view

SEED_TOKENS = ("I", "love", "deep", "learning", "</s>")


@pytest.fixture(scope="module")
def recorded():
    """The seed preset trained as the app trains it: (model with history, recorder)."""
    model = rc.seed_model()
    trained, _, recorder = rc.training.record_training(model, rc.seed_corpus(), model.config)
    return trained, recorder


@pytest.fixture(scope="module")
def trained(recorded):
    return recorded[0]


def test_loss_figure_draws_raw_smoothed_and_validation_losses_and_their_exponentials():
    losses, smoothed = [2.0, 1.0, 0.5], [2.0, 1.5, 1.0]
    validation = [rc.training.ValidationLoss(2, 1.25), rc.training.ValidationLoss(3, 0.75)]
    fig = train_view.loss_figure(losses, smoothed, validation, total=10)
    raw, smooth, valid, raw_ppl, smooth_ppl, valid_ppl = fig.data
    assert list(raw.x) == [1, 2, 3] and list(raw.y) == losses and list(smooth.y) == smoothed
    assert list(valid.x) == [2, 3] and list(valid.y) == [1.25, 0.75]
    assert list(raw_ppl.y) == pytest.approx([math.e**2, math.e, math.e**0.5])
    assert list(smooth_ppl.y) == pytest.approx([math.e**2, math.e**1.5, math.e])
    assert list(valid_ppl.y) == pytest.approx([math.e**1.25, math.e**0.75])
    assert list(fig.layout.xaxis.range) == [0, 10]
    # the headline is the last step's loss; the moving average lags a falling loss and is named as what it is
    assert fig.layout.title.text == "step 3: loss 0.5000 · validation 0.7500 (step 3)"
    assert smooth.name == "moving average (exponential)" and "smoothed" not in fig.layout.title.text
    assert (fig.layout.yaxis.title.text, fig.layout.yaxis2.title.text) == ("loss (nats per token)", "perplexity")
    assert (fig.layout.xaxis.title.text, fig.layout.xaxis2.title.text) == ("training step", "training step")
    assert fig.layout.yaxis.type is None and fig.layout.yaxis.rangemode == "tozero"


def test_the_loss_curves_can_be_drawn_on_a_log_axis():
    fig = train_view.loss_figure([2.0, 0.1, 0.001], [2.0, 1.0, 0.5], log=True)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    assert fig.layout.yaxis.rangemode is None  # 'tozero' has no meaning on a log axis
    assert list(fig.data[0].y) == [2.0, 0.1, 0.001]  # the same numbers, another axis


def test_loss_figure_of_a_history_that_starts_later_counts_steps_from_its_start():
    fig = train_view.loss_figure([1.0, 0.5], [1.0, 0.75], start=40)
    assert list(fig.data[0].x) == [41, 42] and fig.layout.title.text.startswith("step 42: loss 0.5000")


def test_loss_figure_thins_a_long_curve_but_keeps_the_last_point():
    losses = [1.0 / (i + 1) for i in range(5001)]
    x = list(train_view.loss_figure(losses, losses).data[0].x)
    assert len(x) <= train_view.MAX_CURVE_POINTS + 1
    assert x[0] == 1 and x[-1] == 5001


def test_a_live_charts_axis_doubles_as_the_run_goes_on_and_stops_at_its_last_step():
    spans = [train_view.live_span(step, 1_000_000) for step in (0, 80, 81, 160, 161, 5_000)]
    assert spans == [100, 100, 200, 200, 400, 6400]
    assert train_view.live_span(90, 60) == 60 and train_view.live_span(999_999, 1_000_000) == 1_000_000
    title = train_view.loss_figure([1.0] * 1234, [1.0] * 1234, total=1600).layout.title.text
    assert title.startswith("step 1,234: loss")


def test_the_seed_models_smoothed_curve_is_the_recorders(recorded):
    trained, recorder = recorded
    fig = train_view.loss_figure(trained.history.losses, rc.training.ema(trained.history.losses))
    assert list(fig.data[0].y) == list(trained.history.losses)
    assert list(fig.data[1].y) == pytest.approx(recorder.smoothed, abs=1e-15)


def test_teacher_forced_table_reads_each_position_from_its_trace(trained):
    traces = rc.decoding.teacher_forced(trained, SEED_TOKENS)
    df = train_view.teacher_forced_table(traces, trained.vocab.tokens)
    assert list(df["input"]) == ["I", "love", "deep", "learning"]
    assert list(df["target"]) == ["love", "deep", "learning", "</s>"]
    for row, tr in zip(df.itertuples(index=False), traces):
        assert row[3] == tr.probs[trained.vocab.id(tr.token)]  # p(target) is y_t at the true token
        top = max(range(len(tr.probs)), key=lambda v: tr.probs[v])
        assert row[4] == trained.vocab.tokens[top] and row[5] == tr.probs[top]
    assert df["top = target"].all()  # the trained seed model predicts its sentence


def test_teacher_forced_table_marks_a_wrong_top_choice():
    untrained = rc.seed_model()
    traces = rc.decoding.teacher_forced(untrained, SEED_TOKENS)
    df = train_view.teacher_forced_table(traces, untrained.vocab.tokens)
    expected = [int(np.argmax(tr.probs)) == untrained.vocab.id(tr.token) for tr in traces]
    assert list(df["top = target"]) == expected and not all(expected)


def test_learning_heatmap_has_a_row_per_snapshot_and_p_of_the_truth_in_each_cell(trained):
    untrained = rc.seed_model()
    rows = [(steps, rc.decoding.teacher_forced(m, SEED_TOKENS)) for steps, m in ((0, untrained), (60, trained))]
    fig = train_view.learning_heatmap(rows, selected=1)
    heat = fig.data[0]
    assert list(heat.y) == ["step 0", "step 60"]
    assert list(heat.x) == ["1: I → love", "2: love → deep", "3: deep → learning", "4: learning → &lt;/s&gt;"]
    for r, (_, traces) in enumerate(rows):
        assert list(heat.z[r]) == [tr.probs[tr.token_id] for tr in traces]
    assert fig.layout.shapes[0].y0 == 0.5 and fig.layout.shapes[0].y1 == 1.5  # the selected row


def test_weight_figures_label_rows_by_token_and_show_the_values(trained):
    figs = train_view.weight_figures(trained.params, trained.vocab.tokens)
    emb, W_y, W_h = figs["embedding"].data[0], figs["W_y"].data[0], figs["W_h"].data[0]
    labels = ["I", "love", "deep", "learning", "&lt;/s&gt;"]  # Plotly reads labels as HTML
    assert list(emb.y) == labels and list(emb.x) == ["dim 1", "dim 2", "dim 3"]
    assert np.array_equal(np.asarray(emb.z), trained.params.embedding)
    assert list(W_y.y) == labels and list(W_y.x) == ["unit 1", "unit 2", "unit 3"]  # 1-based, as on every page
    assert list(W_h.y) == list(W_h.x) == ["unit 1", "unit 2", "unit 3"]
    assert np.array_equal(np.asarray(W_h.z), trained.params.W_h)
    assert figs["W_x"].layout.title.text == "W<sub>x</sub> (3 × 3)"  # typeset, not W_x
    assert figs["W_y"].layout.title.text == "W<sub>y</sub> (5 × 3)"
    for name, fig in figs.items():
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text, name
        assert fig.data[0].colorbar.title.text == "weight", name
    assert figs["W_h"].layout.xaxis.title.text == "hidden unit of h<sub>t−1</sub>"
    assert emb.zmid is None and emb.zmin == -emb.zmax  # symmetric: 0 is the middle colour
    assert emb.texttemplate == "%{z:.2f}"


def test_weight_heatmap_of_a_big_vocabulary_shows_the_first_rows_without_cell_text():
    W = np.arange(200 * 8, dtype=float).reshape(200, 8)
    fig = train_view.weight_heatmap("W_y", W, [f"t{i}" for i in range(200)], [f"h[{i}]" for i in range(8)])
    assert len(fig.data[0].y) == train_view.MAX_ROWS and fig.data[0].y[-1] == f"t{train_view.MAX_ROWS - 1}"
    assert np.array_equal(np.asarray(fig.data[0].z), W[: train_view.MAX_ROWS])
    assert fig.layout.title.text == f"W<sub>y</sub> (200 × 8) · first {train_view.MAX_ROWS} rows"
    assert fig.data[0].texttemplate is None


def test_whitespace_tokens_are_visible_on_axes():
    model = rc.new_model(rc.make_corpus("a \na", "char"), rc.TrainConfig())
    figs = train_view.weight_figures(model.params, model.vocab.tokens)
    assert list(figs["embedding"].data[0].y) == list(figs["W_y"].data[0].y) == ["a", "␣", "⏎"]


def test_sentence_choices_word_and_char():
    word = rc.make_corpus("a b c\nd e", "word")
    assert train_view.sentence_choices(word) == [("a", "b", "c", "</s>"), ("d", "e", "</s>")]
    char = rc.make_corpus("ab\n\ncd\n", "char")
    assert train_view.sentence_choices(char) == [("a", "b"), ("c", "d")]
    long = rc.make_corpus("x" * 500, "char")
    assert len(train_view.sentence_choices(long)[0]) == train_view.MAX_ROWS + 1


def test_sentence_choices_fall_back_to_the_whole_text_when_no_line_has_two_tokens():
    assert train_view.sentence_choices(rc.make_corpus("a\nb\n", "char")) == [("a", "\n", "b", "\n")]


# ---------------------------------------------------------------- how far back the gradient reaches


def test_reach_figure_plots_the_gradient_of_the_last_steps_loss_against_k_on_a_log_axis(trained):
    reach = rc.analysis.gradient_reach(trained, list(SEED_TOKENS))
    fig = memory_view.reach_figure(reach)
    (curve,) = fig.data
    assert list(curve.x) == [0, 1, 2, 3]
    assert list(curve.y) == list(reach.curve(4))  # ||dL_4/dh_{4-k}||, not ||dL_total/dh_t||
    assert fig.layout.yaxis.type == "log"
    assert list(curve.customdata) == ["learning", "deep", "love", "I"]  # h_{4-k} read these
    assert "step t = 4 (predicting “&lt;/s&gt;”)" in fig.layout.title.text
    assert f"= {reach.radius:.3f}" in fig.layout.title.text
    assert "∂L<sub>t</sub>/∂h<sub>t−k</sub>" in fig.layout.yaxis.title.text


def test_reach_curve_is_the_norm_of_the_last_losss_gradient_by_finite_differences(trained):
    """Independent check of what is drawn at k = 1: perturb h_3 and watch L_4 alone."""
    fig = memory_view.reach_figure(rc.analysis.gradient_reach(trained, list(SEED_TOKENS)))
    p, ids = trained.params, [trained.vocab.id(t) for t in SEED_TOKENS]

    def loss_4(h3: np.ndarray) -> float:
        h4 = np.tanh(p.W_x @ p.embedding[ids[3]] + p.W_h @ h3 + p.b_h)
        o = p.W_y @ h4 + p.b_y
        return float(-(o[ids[4]] - np.log(np.exp(o).sum())))

    h = np.zeros(3)
    for t in range(3):
        h = np.tanh(p.W_x @ p.embedding[ids[t]] + p.W_h @ h + p.b_h)
    eps = 1e-6
    grad = [(loss_4(h + eps * e) - loss_4(h - eps * e)) / (2 * eps) for e in np.eye(3)]
    assert fig.data[0].y[1] == pytest.approx(np.linalg.norm(grad), rel=1e-6)


def test_a_baseline_is_drawn_dashed_beneath_the_scaled_curve():
    choice = memory_view.reach_choices(rc.seed_model())[-1]  # the untrained char-level demo model
    base = rc.analysis.gradient_reach(choice.model, list(choice.tokens))
    scaled = rc.analysis.gradient_reach(rc.analysis.scale_W_h(choice.model, 2.0), list(choice.tokens))
    fig = memory_view.reach_figure(scaled, base)
    assert [d.line.dash for d in fig.data] == ["dash", "solid"]
    T = len(choice.tokens) - 1
    assert list(fig.data[0].y) == drawable(base.curve(T)) and list(fig.data[1].y) == drawable(scaled.curve(T))
    assert scaled.radius == pytest.approx(2 * base.radius)


def drawable(values) -> list:
    """What a log axis can show: positive finite values, None for the others."""
    return [x if np.isfinite(x) and x > 0 else None for x in values]


def test_the_what_if_offers_untrained_weights_and_a_long_char_level_sequence():
    counting = rc.training.builtin_corpus(memory_view.DEMO_CORPUS)
    config = rc.TrainConfig(steps=30, hidden_size=8)
    model, _, _ = rc.training.record_training(rc.training.start_model(counting, config), counting, config)
    before, as_trained, demo = memory_view.reach_choices(model)
    assert before.label == "your model before training (step 0)"
    assert same(before.model.params, rc.training.start_model(counting, config).params)
    assert as_trained.model is model and before.tokens == as_trained.tokens == tuple(counting.text[:101])
    assert demo.model.level == "char" and demo.model.steps_trained == 0 and len(demo.tokens) == 101
    only_demo = memory_view.reach_choices(rc.seed_model())  # 5 tokens of text: too short to show anything
    assert [c.label for c in only_demo] == [demo.label]


def test_a_large_hidden_size_reads_fewer_positions():
    assert memory_view.reach_length(3) == memory_view.REACH_TOKENS
    assert memory_view.reach_length(1024) == memory_view.REACH_COST // 1024
    assert memory_view.reach_length(100_000) == 2


def same(a: rc.Params, b: rc.Params) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a.as_dict().values(), b.as_dict().values()))


# ---------------------------------------------------------------- one hidden unit over the text


def test_activity_html_colours_each_token_by_the_chosen_units_h_and_escapes_the_text():
    corpus = rc.make_corpus("<b>&amp;\n</s> x", "char", "hostile")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=4))
    activity = rc.analysis.unit_activity(model, corpus.text)
    unit = activity.order[0]
    page = memory_view.activity_html(activity, unit, "char")
    assert "<b>" not in page and "</s>" not in page.replace("</span>", "")
    assert ">&lt;</span>" in page and ">&amp;</span>" in page and ">⏎</span><br>" in page
    spans = page.split("<span ")[1:]
    assert len(spans) == len(corpus.text)
    for span, h in zip(spans, activity.h[:, unit]):
        assert f"background:{memory_view.unit_color(h)}" in span and f"= {h:+.3f}" in span


def test_unit_colours_run_from_blue_through_white_to_red_like_the_h_heatmaps():
    assert memory_view.unit_color(-1) == "rgb(5, 48, 97)" and memory_view.unit_color(1) == "rgb(103, 0, 31)"
    assert memory_view.unit_color(0) == "rgb(247, 247, 247)"


def test_figures_serialise_to_json(trained):
    """Streamlit sends figures as JSON: every builder's output must serialise."""
    traces = rc.decoding.teacher_forced(trained, SEED_TOKENS)
    reach = rc.analysis.gradient_reach(trained, list(SEED_TOKENS))
    figs = [train_view.loss_figure([1.0, 0.5], [1.0, 0.75], [rc.training.ValidationLoss(2, 0.6)]),
            train_view.learning_heatmap([(0, traces)]),
            memory_view.reach_figure(reach, reach),
            *train_view.weight_figures(trained.params, trained.vocab.tokens).values()]
    for fig in figs:
        json.loads(fig.to_json())
