"""Step-Through's closer looks at the step on screen (ui/step/looks.py, ui/step/intervene.py) and
its training time-travel, under AppTest: every number shown equals an independent computation
(numpy from the seed model's weights, finite differences) or rnn_core's for the same step; bad
values are refused with a message; nothing is computed for a view that is not open."""

import base64
import html
import json
import re
from dataclasses import replace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import rnn_core as rc
from tests.app.conftest import shown
from tests.app.test_step_through import open_page, seed_model
from tests.app.walk import record, send, show_step
from tests.hostile_tokens import hostile_model
from ui.step import looks

SEED_WALK = dict(prompt="I", rule=rc.Rule("sample"), max_tokens=20, seed=0)  # the page's defaults


def walk(model: rc.Model | None = None) -> list[rc.StepTrace]:
    m = model or seed_model()
    return rc.generate(m, SEED_WALK["prompt"], SEED_WALK["rule"], max_tokens=20, seed=0)


def array_of(values) -> np.ndarray:
    """A Plotly JSON array: a plain list, or Plotly 7's base64 typed array."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    return np.array(values, dtype=float)


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def open_view(view: str, step: int = 2, query: dict | None = None, model: rc.Model | None = None) -> AppTest:
    at = open_page({"step": str(step), **(query or {})}, model)
    at.segmented_control(key=looks.LOOK).set_value(view).run()
    assert not at.exception, at.exception
    return at


def chart(at: AppTest, title_start: str) -> dict:
    """The one chart whose title (or, for the rule panels, first panel's title) starts so."""
    def title(spec: dict) -> str:
        notes = spec["layout"].get("annotations") or [{}]
        return spec["layout"].get("title", {}).get("text") or notes[0].get("text", "")

    (found,) = [spec for spec in charts(at) if title(spec).startswith(title_start)]
    return found


def softmax(o: np.ndarray) -> np.ndarray:
    e = np.exp(o - o.max())
    return e / e.sum()


def forward(p: rc.Params, token_id: int, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h_t, y_t) by the seed's equations, written out here rather than taken from rnn_core."""
    h = np.tanh(p.W_x @ p.embedding[token_id] + p.W_h @ h_prev + p.b_h)
    return h, softmax(p.W_y @ h + p.b_y)


def warnings_of(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning]


# ---------------------------------------------------------------- nothing open, nothing computed


def test_no_view_is_open_at_first_and_nothing_is_computed_for_one():
    at = open_page({"step": "2"})
    assert at.segmented_control(key=looks.LOOK).value is None
    assert charts(at) == []  # the step's own charts are the step area's, drawn in the browser
    assert looks.INFLUENCE_RESULT not in at.session_state


def test_an_open_view_follows_the_step_the_browser_shows():
    at = open_view("What it remembers", step=1)
    assert len(chart(at, "‖∂ log y<sub>t</sub>[w<sub>t</sub>]")["data"][0]["y"]) == 1
    show_step(at, 2)
    assert at.segmented_control(key=looks.LOOK).value == "What it remembers"
    heat = chart(at, "‖∂ log y<sub>t</sub>[w<sub>t</sub>]")["data"][0]
    assert len(heat["y"]) == 2  # the walk so far: steps 1 and 2


def test_in_guess_mode_a_view_waits_for_the_reveal():
    at = open_view("Draws", query={"guess": "1"})
    assert any("Reveal this step's pick first" in i.value for i in at.info)
    assert charts(at) == []
    send(at, "reveal", {"t": 2, "guess": None})
    assert len(charts(at)) == 1 and not at.info


def test_teacher_forcing_reads_y_t_of_the_true_next_token_up_to_the_step_shown():
    at = open_view("Teacher forcing", step=4)
    model = seed_model()
    expected = walk(model)
    (table,) = [m.value for m in at.markdown if m.value.startswith("| step |")]
    rows = [[shown(c.strip()) for c in line.strip("|").split("|")] for line in table.splitlines()[2:]]
    truth = ["love", "deep", "learning", rc.EOS]
    head = [c.strip() for c in table.splitlines()[0].strip("|").split("|")]
    assert [r[head.index("true next")] for r in rows] == truth
    assert [r[head.index("p(true next)")] for r in rows] == \
        [f"{expected[t].probs[model.vocab.id(w)]:.3f}" for t, w in enumerate(truth)]
    show_step(at, 2)
    assert len([m.value for m in at.markdown if m.value.startswith("| step |")][0].splitlines()) == 4


def test_teacher_forcing_on_a_model_without_training_text_says_so():
    model = seed_model()
    bare = rc.Model(model.params, model.vocab, model.level, model.config, "uploaded", "", 60, 0.1)
    at = open_view("Teacher forcing", model=bare)
    assert any("stores no training text" in shown(i.value) for i in at.info)


def test_the_path_of_h_is_drawn_in_3d_for_H_3_and_as_a_heatmap_otherwise():
    at = open_view("Path of h", step=2)
    (traj,) = [c for c in charts(at) if c["layout"]["title"]["text"].startswith("trajectory")]
    assert len(array_of(traj["data"][0]["x"])) == 3  # h_0, h_1, h_2
    corpus = rc.make_corpus("abcabd abcabd\nhello world", "char", "chars")
    at = open_view("Path of h", step=1, model=rc.new_model(corpus, rc.TrainConfig(hidden_size=8, embed_dim=4)))
    assert [c for c in charts(at) if c["layout"]["title"]["text"].startswith("hidden state h<sub>t</sub> over steps")]


# ---------------------------------------------------------------- decoding rules (issue 11, part 2)


def test_rule_panels_of_the_current_step_equal_hand_computed_distributions():
    at = open_view("Decoding rules")
    at.slider(key=f"{looks.PANEL}_T").set_value(2.0)
    at.number_input(key=f"{looks.PANEL}_k").set_value(2).run()
    assert not at.exception
    o = walk()[1].logits  # step 2 of the seed walk
    q_T = softmax(o / 2.0)
    top2 = np.argsort(-q_T)[:2]
    q_k = np.where(np.isin(np.arange(5), top2), q_T, 0) / q_T[top2].sum()
    fig = chart(at, "<b>greedy</b>")
    kept = [array_of(fig["data"][2 * n + 1]["y"]) for n in range(6)]
    np.testing.assert_allclose(kept[0], np.eye(5)[np.argmax(o)], atol=1e-15)  # greedy: all on the argmax
    np.testing.assert_allclose(kept[1], q_T, rtol=1e-12)
    np.testing.assert_allclose(kept[2], q_k, rtol=1e-12)
    table = at.dataframe[0].value
    assert table["kept"].tolist()[:3] == [1, 5, 2]
    assert table["H (nats)"][1] == pytest.approx(-(q_T * np.log(q_T)).sum(), rel=1e-12)


def test_rule_panels_start_from_the_walks_own_rule():
    at = open_view("Decoding rules", query={"T": "1.5", "k": "3"})
    assert at.slider(key=f"{looks.PANEL}_T").value == 1.5
    assert at.number_input(key=f"{looks.PANEL}_k").value == 3


# ---------------------------------------------------------------- draws (issue 11, part 3)


def test_draws_count_n_draws_from_the_steps_q():
    at = open_view("Draws")
    at.number_input(key=f"{looks.DRAWS}_n").set_value(3000)
    at.number_input(key=f"{looks.DRAWS}_seed").set_value(5).run()
    q = walk()[1].q
    u = np.random.default_rng(5).random(3000)
    order = np.argsort(-q, kind="stable")  # u's slices: the tokens stacked most probable first
    expected = np.bincount(order[np.searchsorted(np.cumsum(q[order]), u, side="right")], minlength=5)
    spec = chart(at, "3,000 draws from q_2")
    drawn = dict(zip(spec["data"][1]["x"], array_of(spec["data"][1]["y"])))
    vocab = seed_model().vocab.tokens
    assert {html.escape(vocab[v]): c for v, c in enumerate(expected) if q[v] > 0} == drawn
    assert any(m.value.startswith("Chi-square = ") for m in at.markdown)


def test_too_many_draws_are_refused_with_a_message():
    at = open_view("Draws")
    at.number_input(key=f"{looks.DRAWS}_n").set_value(20_000).run()
    assert not at.exception
    assert any("number of draws must be a whole number from 1 to 10,000" in w for w in warnings_of(at))
    assert chart(at, "1,000 draws from q_2")  # still the last accepted N


# ---------------------------------------------------------------- influence (issue 12, part 1)


def log_p(p: rc.Params, ids: list[int], x: np.ndarray, s: int, t: int) -> float:
    """log y_t[w_t] along the ids with x_s replaced by ``x`` (finite differences' forward)."""
    h = np.zeros(p.W_h.shape[0])
    for pos in range(1, t + 1):
        x_pos = x if pos == s else p.embedding[ids[pos - 1]]
        h = np.tanh(p.W_x @ x_pos + p.W_h @ h + p.b_h)
    return float(np.log(softmax(p.W_y @ h + p.b_y)[ids[t]]))


def test_influence_of_the_earlier_tokens_equals_finite_differences():
    at = open_view("What it remembers", step=3)
    model = seed_model()
    p = model.params.astype(np.float64)
    traces = walk(model)
    ids = [traces[0].input_id] + [tr.token_id for tr in traces]
    eps, t = 1e-6, 3
    expected = np.zeros((t, t))
    for row in range(1, t + 1):
        for s in range(1, row + 1):
            x0 = p.embedding[ids[s - 1]]
            grad = [(log_p(p, ids, x0 + eps * e, s, row) - log_p(p, ids, x0 - eps * e, s, row)) / (2 * eps)
                    for e in np.eye(len(x0))]
            expected[row - 1, s - 1] = np.linalg.norm(grad)
    heat = chart(at, "‖∂ log y<sub>t</sub>[w<sub>t</sub>]")["data"][0]
    np.testing.assert_allclose(array_of(heat["customdata"]).reshape(t, t), expected, rtol=1e-6, atol=1e-9)
    row = next(m.value for m in at.markdown if 'class="infl"' in m.value)
    assert [re.sub("<[^>]+>", "", span) for span in re.findall(r'<span title="[^"]*"[^>]*>[^<]*</span>', row)] == \
        [model.vocab.tokens[i] for i in ids[:t]]  # the inputs of steps 1..3, shaded
    assert f'>{traces[2].token}</span></div>' in row  # then the predicted token


def test_influence_through_the_hidden_state_is_rnn_cores():
    at = open_view("What it remembers", step=3)
    at.radio(key=f"{looks.INFLUENCE}_wrt").set_value("h").run()
    traces = walk()
    tokens = [traces[0].input] + [tr.token for tr in traces[:3]]
    inf = rc.analysis.influence(seed_model(), tokens, wrt="h")
    heat = chart(at, "‖∂ log y<sub>t</sub>[w<sub>t</sub>]")["data"][0]
    np.testing.assert_allclose(array_of(heat["customdata"]).reshape(3, 3), inf.norms, rtol=1e-12)


# ---------------------------------------------------------------- interventions (issue 12, part 5)


@pytest.mark.parametrize("kind, unit, value", [("zero", 1, None), ("clamp", 2, -0.75), ("reset", None, None)])
def test_an_edit_of_h_prev_gives_y_t_by_the_seeds_equations(kind, unit, value):
    at = open_view("Intervene")
    at.radio(key=f"{looks.EDIT}_kind").set_value(kind).run()  # the clamp box is enabled for 'clamp' only
    if unit is not None:
        at.selectbox(key=f"{looks.EDIT}_unit").set_value(unit)
    if value is not None:
        at.number_input(key=f"{looks.EDIT}_value").set_value(value)
    at.run()
    assert not at.exception
    model, tr = seed_model(), walk()[1]
    h_prev = np.zeros(3) if kind == "reset" else tr.h_prev.copy()
    if unit is not None:
        h_prev[unit] = 0.0 if kind == "zero" else value
    _, y = forward(model.params.astype(np.float64), tr.input_id, h_prev)
    before, after = chart(at, "as walked: y<sub>2</sub>"), chart(at, "with ")
    np.testing.assert_allclose(array_of(before["data"][0]["y"]), tr.probs, atol=1e-15)
    np.testing.assert_allclose(array_of(after["data"][0]["y"]), y, rtol=1e-6)
    (sentence,) = [shown(m.value) for m in at.markdown if "the most probable next token" in m.value]
    top = model.vocab.tokens[int(np.argmax(y))]
    assert f"“{top}”" in sentence and f"{y.max():.3f}" in sentence


def test_an_edit_that_changes_the_top_choice_says_so():
    """Step 3 of the seed walk feeds 'deep'; find, by hand, a clamp of one unit that changes the
    most probable next token, then check the page tells it."""
    model, tr = seed_model(), walk()[2]
    p = model.params.astype(np.float64)
    found = None
    for unit in range(3):
        for value in (-1.0, -0.5, 0.5, 1.0):
            h_prev = tr.h_prev.copy()
            h_prev[unit] = value
            y = forward(p, tr.input_id, h_prev)[1]
            if np.argmax(y) != np.argmax(tr.probs):
                found = (unit, value, y)
                break
        if found:
            break
    assert found, "no clamp of one unit changes step 3's top choice"
    unit, value, y = found
    at = open_view("Intervene", step=3)
    at.radio(key=f"{looks.EDIT}_kind").set_value("clamp").run()
    at.selectbox(key=f"{looks.EDIT}_unit").set_value(unit)
    at.number_input(key=f"{looks.EDIT}_value").set_value(value).run()
    (sentence,) = [shown(m.value) for m in at.markdown if "the most probable next token" in m.value]
    vocab = model.vocab.tokens
    assert (f"changes from “{vocab[int(np.argmax(tr.probs))]}”" in sentence
            and f"to “{vocab[int(np.argmax(y))]}” ({tr.probs[np.argmax(y)]:.3f} → {y.max():.3f})" in sentence)


def test_a_clamp_outside_tanhs_range_is_refused_and_the_last_value_kept():
    at = open_view("Intervene")
    at.radio(key=f"{looks.EDIT}_kind").set_value("clamp").run()
    at.number_input(key=f"{looks.EDIT}_value").set_value(1.5).run()
    assert not at.exception
    assert any("a clamped unit must be a number from -1 to 1" in w and "Still using 0.5" in w for w in warnings_of(at))
    assert chart(at, "with unit 1 of h<sub>1</sub> = 0.5")


def test_going_on_from_the_edit_is_the_greedy_walk_from_the_edited_state():
    at = open_view("Intervene")
    at.radio(key=f"{looks.EDIT}_kind").set_value("reset")
    at.toggle(key=f"{looks.EDIT}_go_on").set_value(True).run()
    model, tr = seed_model(), walk()[1]
    p, vocab = model.params.astype(np.float64), model.vocab.tokens
    h, y = forward(p, tr.input_id, np.zeros(3))
    picks = [int(np.argmax(y))]
    while vocab[picks[-1]] != rc.EOS and len(picks) < 19:  # 20 tokens at most; step 1 made one
        h, y = forward(p, picks[-1], h)
        picks.append(int(np.argmax(y)))
    (line,) = [shown(m.value) for m in at.markdown if m.value.startswith("Going on from the edit")]
    assert line.endswith(f"*I love* → **{' '.join(vocab[v] for v in picks)}**")
    assert walk()[1].token_id == model.vocab.id("deep")  # the walk itself is unchanged: step 2 still picks deep


# ---------------------------------------------------------------- training time-travel (issue 12, part 3)


def test_weights_after_step_0_replay_the_walk_with_the_initial_weights():
    at = open_page()
    slider = at.select_slider(key="step_weights")
    model = seed_model()
    assert slider.options == [str(s) for s, _ in model.checkpoints()] and slider.value == 60
    slider.set_value(0).run()
    assert not at.exception
    early = walk(rc.seed_model())  # the seed preset's initial weights are the snapshot of step 0
    bars = record(at)["steps"][0]["dist"]["data"][0]
    np.testing.assert_allclose(bars["y"], early[0].probs, atol=1e-12)
    assert not np.allclose(early[0].probs, walk(model)[0].probs)
    assert record(at)["title"] == "Trained 0 steps" and at.query_params["weights"] == "0"
    at.select_slider(key="step_weights").set_value(60).run()
    assert record(at)["title"] == "Step-Through" and "weights" not in at.query_params


def test_a_link_with_weights_opens_that_snapshot_and_a_wrong_one_is_refused():
    at = open_page({"weights": "3", "step": "2"})
    model = seed_model()
    snapshot = replace(model, params=dict(model.checkpoints())[3])
    np.testing.assert_allclose(record(at)["steps"][1]["dist"]["data"][0]["y"], walk(snapshot)[1].probs, atol=1e-12)
    at = open_page({"weights": "4"})
    assert any("Ignored `weights=4`" in w and "the model's own weights" in w for w in warnings_of(at))
    assert record(at)["title"] == "Step-Through"


def test_a_forced_token_stays_when_only_the_weights_change():
    model = seed_model()
    at = open_page({"step": "2", "force": "2:learning"})
    at.select_slider(key="step_weights").set_value(0).run()
    assert at.query_params["force"] == "2:learning" and at.query_params["weights"] == "0"
    snapshot = replace(model, params=dict(model.checkpoints())[0])
    forced = rc.generate(snapshot, "I", rc.Rule("sample"), max_tokens=20, seed=0,
                         forced={2: model.vocab.id("learning")})
    np.testing.assert_allclose(record(at)["steps"][1]["dist"]["data"][0]["y"], forced[1].probs, atol=1e-12)


def test_views_use_the_snapshots_weights():
    at = open_view("Intervene", query={"weights": "0"})
    at.radio(key=f"{looks.EDIT}_kind").set_value("reset").run()
    model = seed_model()
    snapshot = dict(model.checkpoints())[0]
    tr = walk(replace(model, params=snapshot))[1]
    _, y = forward(snapshot.astype(np.float64), tr.input_id, np.zeros(3))
    np.testing.assert_allclose(array_of(chart(at, "with h<sub>1</sub> = 0")["data"][0]["y"]), y, rtol=1e-6)


def test_a_model_without_history_says_so_in_one_line():
    at = open_page(model=replace(seed_model(), history=None))
    assert not [s for s in at.select_slider if s.key == "step_weights"]
    (note,) = [c for c in at.caption if "Training time-travel" in c.value]
    assert note.value == "Training time-travel: no earlier weights to replay."


# ---------------------------------------------------------------- any token


@pytest.mark.parametrize("view", looks.VIEWS)
def test_every_view_escapes_tokens_that_are_markup(view):
    at = open_view(view, model=hostile_model())
    assert not at.exception and not at.error
    for spec in charts(at):
        title = spec["layout"].get("title", {}).get("text", "")
        assert "<b>" not in title.replace("<b>greedy</b>", "")
        for trace in spec["data"]:
            labels = trace.get("x") if isinstance(trace.get("x"), list) else []
            assert not [x for x in labels if isinstance(x, str) and re.search("[<>]", x)], labels
