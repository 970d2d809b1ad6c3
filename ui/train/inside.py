"""The Train page's look inside the current model: the model at its checkpoints, teacher forcing,
how far back the gradient reaches (and a what-if that scales W_h), what one hidden unit tracks,
and the weights. Each function draws one view; the numbers come from rnn_core, the figures from
``ui.train.view`` and ``ui.train.memory_view``."""

from __future__ import annotations

import streamlit as st

import rnn_core as rc
from ui.common.charts import unit_label
from ui.common.session import model_version
from ui.common.text import md_token
from ui.common.theme import plotly_chart
from ui.train import keys, memory_view
from ui.train import view as train_view

SCALE = (0.0, 3.0, 0.05)  # the W_h what-if: smallest and largest factor, and the slider's step
ss = st.session_state


def watch_it_learn(model: rc.Model, sentence: tuple[str, ...]) -> None:
    """p(correct next token) of a teacher-forced sentence at each of the model's checkpoints
    (``Model.checkpoints``: its history's snapshots and its current weights), and greedy text
    at the checkpoint the slider picks."""
    models = [model.at_checkpoint(step) for step, _ in model.checkpoints()]
    rows = [(m.steps_trained, rc.decoding.teacher_forced(m, sentence)) for m in models]
    steps = [step for step, _ in rows]
    if len(steps) == 1:
        st.info("This model carries no training history (no earlier weights), so only its current weights show.")
        shown = steps[0]
    else:
        shown = st.select_slider("Weights after training step", steps, value=steps[-1],
                                 key=keys.versioned(keys.SNAPSHOT, model_version()))
    i = steps.index(shown)
    plotly_chart(train_view.learning_heatmap(rows, i), key="train_learn")
    greedy = rc.generate(models[i], sentence[:1], rc.GREEDY, max_tokens=min(len(sentence) + 5, 80))
    st.markdown(f"At step **{shown}**, greedy generation from “{md_token(sentence[0])}” gives:")
    st.code(rc.decoding.text_of(model, greedy), language=None, wrap_lines=True)
    st.caption("Each row is the model at one moment of training (the weights its history kept); each cell is "
               "the probability it gave the correct next token, feeding in the true sentence (teacher forcing).")


def teacher_forcing(model: rc.Model, sentence: tuple[str, ...]) -> None:
    st.markdown("**Teacher forcing:** the true sentence fed in, position by position.")
    traces = rc.decoding.teacher_forced(model, sentence)
    st.dataframe(train_view.teacher_forced_table(traces, model.vocab.tokens), hide_index=True, width="stretch",
                 column_config={"p(target)": st.column_config.ProgressColumn("p(target)", format="%.3f",
                                                                             min_value=0, max_value=1),
                                "p(top)": st.column_config.NumberColumn(format="%.3f")})


def gradient_reach(model: rc.Model, sentence: tuple[str, ...]) -> None:
    """||dL_t/dh_{t-k}|| for the loss at the sentence's last step."""
    st.markdown("**How far back the gradient reaches**")
    tokens = sentence[: memory_view.reach_length(model.config.hidden_size) + 1]
    reach = rc.analysis.gradient_reach(model, list(tokens))
    plotly_chart(memory_view.reach_figure(reach), key="train_grads")
    st.caption(f"Training learns from the loss at each step t, L_t = −log y_t[target]. This is how strongly "
               f"L_t, at the last step t = {len(reach.targets)}, pulls on the hidden state k steps earlier. "
               "Going back one step multiplies the gradient by W_hᵀ and by tanh′ (at most 1), so it usually "
               "shrinks step after step: early tokens get little say in learning. That is the vanishing "
               "gradient problem, and why a vanilla RNN struggles to remember far back.")


def vanishing_what_if(model: rc.Model) -> None:
    """The same curve on a longer sequence, with W_h scaled by a slider: below a spectral radius
    of 1 the gradient vanishes, above it it can explode."""
    choices = memory_view.reach_choices(model)
    label = st.selectbox("Model", [c.label for c in choices], key=keys.versioned(keys.REACH_MODEL, model_version()),
                         help="Untrained weights show it best: in a trained model tanh often saturates, and "
                              "saturated units pass almost no gradient whatever W_h's radius.")
    choice = next((c for c in choices if c.label == label), choices[0])
    ss.setdefault(keys.REACH_SCALE, 1.0)
    c1, c2 = st.columns([4, 1])
    low, high, step = SCALE
    factor = c1.slider("Multiply W_h by", low, high, step=step, key=keys.REACH_SCALE)
    c2.button("Reset to 1", key=keys.REACH_RESET, on_click=reset_scale)
    base = rc.analysis.gradient_reach(choice.model, list(choice.tokens))
    reach = base if factor == 1 else rc.analysis.gradient_reach(rc.analysis.scale_W_h(choice.model, factor),
                                                                list(choice.tokens))
    c1, c2, c3 = st.columns(3)
    c1.metric("spectral radius of W_h", f"{base.radius:.3f}")
    c2.metric(f"… of {factor:g} × W_h", f"{reach.radius:.3f}")
    c3.metric(f"‖∂L_t/∂h_t−k‖ at k = {len(reach.targets) - 1}", f"{reach.curve(len(reach.targets))[-1]:.3e}")
    plotly_chart(memory_view.reach_figure(reach, None if factor == 1 else base), key="train_reach")
    st.caption(f"The model reads the first {len(choice.tokens)} tokens of its text. Scaling W_h scales its "
               "spectral radius (its largest |eigenvalue|) by the same factor. Below 1, every step back "
               "shrinks the gradient and the curve falls in a straight line on this log scale: the gradient "
               "vanishes. Above 1 it can grow step after step: it explodes, and training would need "
               "clipping. In a trained model saturated tanh units (h near ±1, tanh′ near 0) keep it "
               "vanishing even at a radius of 4 or 5.")


def reset_scale() -> None:
    ss[keys.REACH_SCALE] = 1.0


def unit_activity(model: rc.Model) -> None:
    """The training text coloured by one hidden unit, the unit picked by how much it varies."""
    tokens = memory_view.text_tokens(model)[: memory_view.ACTIVITY_TOKENS]
    activity = rc.analysis.unit_activity(model, tokens)
    unit = st.selectbox("Hidden unit (the ones that vary most first)", activity.order,
                        key=keys.versioned(keys.UNIT, model_version()),
                        format_func=lambda i: f"{unit_label(i)} · standard deviation {activity.std[i]:.3f}")
    st.html(memory_view.activity_legend())
    st.html(memory_view.activity_html(activity, unit, model.level))
    st.caption(f"The first {len(tokens):,} tokens of the training text, fed in one at a time from h_0 = 0; each "
               f"token's colour is {unit_label(unit)} of h right after reading it (hover for the value). Hidden "
               f"units are numbered 1 to H = {model.config.hidden_size}. A unit that follows something (a position "
               "in a word, an open bracket, the end of a line) shows it as a pattern.")


def weights(model: rc.Model) -> None:
    st.caption(f"Hidden units are numbered 1 to H = {model.config.hidden_size}, embedding dimensions 1 to "
               f"E = {model.config.embed_dim}; 0 is white, positive red, negative blue.")
    figs = train_view.weight_figures(model.params, model.vocab.tokens)
    for left, right in (("embedding", "W_x"), ("W_h", "W_y")):
        c1, c2 = st.columns(2)
        plotly_chart(figs[left], where=c1, key=f"train_w_{left}")
        plotly_chart(figs[right], where=c2, key=f"train_w_{right}")
