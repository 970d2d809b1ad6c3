"""Step-Through: the seed's numerical walk-through, one autoregressive step per screen.

The first screen holds a whole step: the controls, the unrolled loop, the equations with their
numbers, the next-token distribution and the hidden state. Below it: what-if forks, a closer look
at the step (decoding rules, draws, influence, an edit of h_{t-1}: one at a time, on request),
the hidden state's path, teacher forcing. State and callbacks: ui/step_state.py; the settings are in the URL.
"""

from functools import partial

import streamlit as st

import rnn_core as rc
from ui import charts
from ui import step_latex as tex
from ui import step_state as state
from ui import step_teacher as teacher
from ui.state import model_version, start_page
from ui.step_controls import (
    controls,
    guess_box,
    guess_feedback,
    title,
    top_row,
    what_if,
)
from ui.step_extras import Look, closer_look
from ui.step_layout import fit_style, fitted_latex, keyed_latex, page_css
from ui.step_loop import loop_svg
from ui.step_path import finished_reason
from ui.step_replay import replay_section
from ui.text import md_literal
from ui.theme import is_presenter, plotly_chart
from ui.token_text import md_token


def math_column(tr: rc.StepTrace, rule: rc.Rule, vocab: tuple[str, ...], prec: int, revealed: bool) -> None:
    """The step's equations with their numbers; in guess mode o_t, y_t and the pick wait."""
    pieces = {"eq_x": tex.input_tex(tr, prec), "eq_a": tex.preactivation_tex(tr, prec),
              "eq_h": tex.hidden_tex(tr, prec)}
    if revealed:
        q = tex.q_tex(tr, rule, prec)
        pieces |= {"eq_oy": tex.output_equations_tex(tr), **({"eq_q": q} if q else {}),
                   "eq_table": tex.output_table_tex(tr, vocab, prec), "eq_pick": tex.pick_tex(tr, prec)}
    fit_style(pieces)
    with st.container(key="step_math"):
        for key, piece in pieces.items():
            keyed_latex(key, piece)
            if key == "eq_q" and tex.kept_note(tr, rule):
                st.caption(tex.kept_note(tr, rule))
        if not revealed:
            st.info("**Guess first**: which token comes next? Choose it on the right, then **Reveal** (PageDown).")
        elif tr.how == "sampled":
            st.caption(f"u's slice: the tokens stacked on [0, 1) most probable first, each as wide as its "
                       f"{'q' if charts.is_reshaped(tr) else 'y'}_t. The pick is fed back as the next input.")


def charts_column(model: rc.Model, version: int, tr: rc.StepTrace, revealed: bool) -> None:
    """The next-token distribution (click a bar to force that token), or the guess box; the hidden state."""
    vocab = model.vocab.tokens
    if revealed:
        dist = charts.distribution_figure(tr, vocab, max_bars=tex.max_tokens(len(vocab)))
        clickable = tr.how != "prompt"
        plotly_chart(dist, 245, key=state.DIST_CHART, selection_mode="points", config={"displayModeBar": False},
                     on_select=partial(state.force_from_chart, model, version, tr.t) if clickable else "ignore")
    else:
        guess_box(tr, vocab)
    plotly_chart(charts.hidden_figure(tr), 200, key="step_hidden", config={"displayModeBar": False})


def hidden_path(traces: list[rc.StepTrace], step: int) -> None:
    """H = 3: the path of h in the cube, on request (a WebGL chart redrawn at every step costs a
    Next more than all the rest; the camera is kept while stepping); else h over the steps."""
    if len(traces[0].h) != 3:
        plotly_chart(charts.hidden_heatmap(traces, step), 300, key="step_heat")
        return
    show, view = st.columns([2, 1], vertical_alignment="bottom")
    if not show.toggle("Show the path of h in 3-D", key=state.SHOW_3D, persist_state="session"):
        return
    camera = view.selectbox("3-D view", list(charts.CAMERAS), key=state.CAMERA,
                            help="Kept while you step (a rotated view resets when the chart redraws).")
    plotly_chart(charts.trajectory_figure(traces, step, camera=camera), 420, key="step_traj")


def teacher_forcing(model: rc.Model, traces: list[rc.StepTrace], prec: int) -> None:
    """The steps shown so far (``traces``) beside the training text teacher forcing would feed."""
    st.subheader("Autoregressive vs teacher forcing", anchor=False)
    if not traces:
        return
    ref = teacher.reference(model, traces[0].input)
    if ref is None:
        why = "this model stores no training text" if model.corpus() is None else \
            f"the training text never contains “{md_token(traces[0].input)}”"
        st.info(f"No training sentence to compare with: {why}.")
        return
    st.caption("In training (teacher forcing) the model is always fed the true previous token; generating, it is "
               "fed its own picks. Once a pick leaves the training text, the path never comes back onto it. "
               "p(true next) is y_t of the training text's next token at this step of the generated path.")
    st.table(teacher.display_rows(teacher.teacher_rows(model, traces, ref), prec))


def step_section(model: rc.Model, version: int) -> None:
    """The step on one screen, then the rest below. A fragment: stepping reruns only this."""
    buttons, title_slot = top_row(model)
    for message in filter(None, (state.apply_widgets(model), state.take_notice())):
        st.error(md_literal(message))
    traces = state.path(model, version)
    state.autoplay_tick(len(traces))
    step, vocab, s = state.current_step(len(traces)), model.vocab.tokens, state.settings()
    revealed, tr, prec = state.is_revealed(step), traces[step - 1], st.session_state[state.DECIMALS]
    state.write_query(vocab)
    controls(buttons, len(traces), step, revealed)
    title(title_slot, len(traces), step, tr, revealed, s.weights)
    with st.container(key="step_loop"):
        st.markdown(loop_svg(traces, step, vocab, revealed, state.forks()), unsafe_allow_html=True)
    left, right = st.container(key="step_columns").columns([1.12, 1], gap="medium")
    with left:
        math_column(tr, s.rule_obj(), vocab, prec, revealed)
        if s.guess:
            guess_feedback(traces, step, vocab)
    with right:
        charts_column(model, version, tr, revealed)
    st.divider()
    if step == len(traces) and revealed:
        st.success(f"**Generation finished**: {finished_reason(traces, s.max_len)}.")
    what_if(model, version, traces, step, revealed)
    closer_look(Look(model=state.weighted(model), traces=traces, t=step, rule=s.rule_obj(), max_len=s.max_len,
                     path_key=state.path_key(version)), revealed)
    hidden_path(traces, step)
    teacher_forcing(model, traces[:step if revealed else step - 1], prec)


model = start_page()
version = model_version()
page_css(presenter=is_presenter())
for kind, message in state.start(model, version):
    getattr(st, kind)(md_literal(message))
st.fragment(step_section, run_every=state.autoplay_interval())(model, version)
with st.expander("Shapes of the parameters"):
    V, E, H = model.params.sizes
    fitted_latex({"eq_shapes": tex.shapes_tex(model.params)})
    st.markdown(f"The seed document writes $W_y$ as $3\\times3$. It turns $h_t$ ($H = {H}$ numbers) into one score "
                f"per vocabulary token, so here it is $V \\times H$ = **{V} × {H}**.")
replay_section(model, version)
