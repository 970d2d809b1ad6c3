"""Step-Through: the seed's numerical walk-through, one autoregressive step at a time.

The whole path is computed once per (model, settings, forced tokens) and kept in session state;
Previous / Next / the slider only re-render (inside a fragment). Settings live in the URL.
"""

from dataclasses import replace

import streamlit as st

import rnn_core as rc
from ui import charts
from ui import step_view as sv
from ui.text import md_literal
from ui.state import model_version, start_page

model = start_page()
version = model_version()
vocab = model.vocab.tokens
V, E, H = model.params.sizes

# session keys: canonical settings and forks outlive the widgets (dropped when leaving the page)
SETTINGS, FORKS, CACHE, FOR = "st_settings", "st_forks", "st_paths", "st_settings_model"
WIDGETS = {"word": "st_word", "rule": "st_rule", "temperature": "st_T", "top_k": "st_k",
           "top_p": "st_p", "seed": "st_seed", "max_len": "st_max"}
CAMERAS = {"corner": dict(x=1.5, y=1.5, z=1.0), "front (h[0], h[2])": dict(x=0, y=-2.3, z=0.1),
           "side (h[1], h[2])": dict(x=2.3, y=0, z=0.1), "top (h[0], h[1])": dict(x=0, y=0.01, z=2.3)}

defaults = sv.Settings(word=model.first_word())
if st.session_state.get(FOR) != version:
    # first visit (or a new model): the link's query string decides, else the defaults
    first_visit = SETTINGS not in st.session_state
    settings, warnings = sv.from_query(st.query_params.to_dict(), defaults, model) if first_visit else (defaults, [])
    for w in warnings:
        st.warning(w)
    if not first_visit:
        st.info("The model changed, so the walk-through starts again from its first word.")
    st.session_state.update({SETTINGS: settings, FORKS: {}, CACHE: {}, FOR: version})
    for key in [*WIDGETS.values(), "st_step"]:
        st.session_state.pop(key, None)
settings: sv.Settings = st.session_state[SETTINGS]
for field, key in WIDGETS.items():
    st.session_state.setdefault(key, getattr(settings, field))

big = st.session_state.get("st_big", False)
if big:
    st.html("""<style>
      html { font-size: 22px; }
      .katex { font-size: 1.25em !important; }
      [data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { font-size: 1.15rem; }
    </style>""")

st.title("Step-Through")
st.caption(
    "The seed document's walk-through with this model's real numbers: from the seed word, each step "
    "computes h_t, o_t and y_t, picks the next word, embeds it and feeds it back."
)

# ---- controls ------------------------------------------------------------------------------------
with st.container(border=True):
    c1, c2, c3, c4 = st.columns([1.3, 1.2, 1.6, 1.2])
    words = [t for t in vocab if t != rc.EOS]
    if st.session_state[WIDGETS["word"]] not in words:
        words = [st.session_state[WIDGETS["word"]], *words]  # a typed prompt stays selectable
    c1.selectbox("Seed word", words, key=WIDGETS["word"], accept_new_options=True,
                 format_func=sv.shown_token,
                 help="Pick a word of the vocabulary, or type one (or several) and press Enter.")
    c1.number_input("Max length", 1, sv.MAX_LEN, key=WIDGETS["max_len"],
                    help="Stop after this many generated tokens if </s> has not come.")
    c2.radio("Picking rule", sv.RULES, key=WIDGETS["rule"], horizontal=True,
             help="sample: draw the next word from y_t (the seed's Step 4). greedy: take the most probable.")
    sampling = st.session_state[WIDGETS["rule"]] == "sample"
    c2.number_input("RNG seed", 0, 2**32 - 1, key=WIDGETS["seed"], disabled=not sampling,
                    help="Seeds the random numbers u_t; the same seed gives the same path.")
    c3.slider("Temperature", *sv.T_RANGE, key=WIDGETS["temperature"], step=0.05, disabled=not sampling,
              help="Divides o_t before the softmax: below 1 sharper, above 1 flatter.")
    k1, k2 = c3.columns(2)
    k1.number_input("top-k (0 = off)", 0, V, key=WIDGETS["top_k"], disabled=not sampling,
                    help="Sample only among the k most probable tokens.")
    k2.number_input("top-p", sv.P_MIN, 1.0, key=WIDGETS["top_p"], step=0.05, disabled=not sampling,
                    help="Sample only among the most probable tokens whose total reaches p.")
    prec = c4.select_slider("Decimals", list(range(1, 7)), value=3, key="st_prec", persist_state="session")
    c4.toggle("Large font", key="st_big", persist_state="session", help="For projectors: bigger text and numbers, charts below them.")
    if H == 3:
        c4.selectbox("3-D view", list(CAMERAS), key="st_camera", persist_state="session",
                              help="Kept while you step (a rotated view resets when the chart redraws).")

wanted = replace(settings, **{f: st.session_state[k] for f, k in WIDGETS.items()})
wanted = replace(wanted, top_k=int(wanted.top_k), seed=int(wanted.seed), max_len=int(wanted.max_len),
                 temperature=round(float(wanted.temperature), 2), top_p=round(float(wanted.top_p), 2))
try:
    sv.check(wanted, model)
except rc.RnnCoreError as e:
    st.error(f"{md_literal(e)} The walk-through below still shows {md_literal(repr(settings.word))}.")
else:
    if wanted.path_key() != settings.path_key():
        st.session_state[FORKS] = {}
    settings = st.session_state[SETTINGS] = wanted


# ---- the step view ---------------------------------------------------------------------------------
def go_to(step: int) -> None:
    st.session_state["st_step"] = step


def reset() -> None:
    st.session_state[FORKS] = {}
    st.session_state["st_step"] = 1


def force(t: int, token_id: int, traces) -> None:
    s = st.session_state[SETTINGS]
    try:
        st.session_state[FORKS] = sv.fork_path(st.session_state[CACHE], model, version, s,
                                               st.session_state[FORKS], traces, t, token_id)
    except rc.RnnCoreError as e:  # e.g. a step that feeds the prompt: nothing to fork there
        st.session_state["st_fork_error"] = str(e)


def force_from_chart(t: int, ids, traces) -> None:
    """A clicked bar forces its token (bars carry token ids as customdata, in ``ids`` order)."""
    points = st.session_state["st_dist"].selection.point_indices
    if points:
        force(t, int(ids[points[0]]), traces)


def force_from_box(t: int, traces) -> None:
    force(t, st.session_state["st_force_token"], traces)


def back_to_original() -> None:
    st.session_state[FORKS] = {}


def two_columns():
    """Numbers on the left, their chart on the right; stacked in large-font mode, where the
    enlarged LaTeX needs the full width."""
    return (st.container(), st.container()) if big else st.columns([1.4, 1])


def show_chart(fig, key: str, **kwargs):
    """st.plotly_chart with this page's tweaks: in projector mode large fonts, drawn without the
    Streamlit theme (it resets font sizes) on a plain white template."""
    if big:
        fig.update_layout(template="plotly_white", font_size=18, title_font_size=22, legend_font_size=16)
        fig.update_traces(textfont_size=16, selector=dict(type="bar"))
    return st.plotly_chart(fig, key=key, width="stretch", theme=None if big else "streamlit", **kwargs)


@st.fragment
def step_view() -> None:
    s: sv.Settings = st.session_state[SETTINGS]
    forks = st.session_state[FORKS]
    traces = sv.get_path(st.session_state[CACHE], model, version, s, forks)
    n = len(traces)
    if "st_step" not in st.session_state:
        if s.step > n:
            st.warning(f"The link asks for step {s.step}, but this path has {n} steps; showing step {n}.")
        st.session_state["st_step"] = sv.clamp_step(s.step, n)
    step = st.session_state["st_step"] = sv.clamp_step(st.session_state["st_step"], n)

    b1, b2, b3, b4 = st.columns([1.6, 1.3, 1.3, 3.8] if big else [1.2, 1.2, 1.2, 4.4], vertical_alignment="bottom")
    b1.button("◀ Previous", on_click=go_to, args=(step - 1,), disabled=step == 1, width="stretch")
    b2.button("Next ▶", on_click=go_to, args=(step + 1,), disabled=step == n, width="stretch", type="primary")
    b3.button("Reset", on_click=reset, width="stretch", help="Back to step 1 and the sampled path.")
    if n > 1:
        b4.slider("Step", 1, n, key="st_step")
    step = st.session_state["st_step"]
    st.session_state[SETTINGS] = s = replace(s, step=step)
    st.query_params.from_dict(sv.to_query(s))
    tr = traces[step - 1]
    if "st_fork_error" in st.session_state:
        st.error(md_literal(st.session_state.pop("st_fork_error")))

    st.markdown(f"**Path** ({s.rule_obj().describe()}): " + sv.path_markdown(traces, step, forks))
    if step == n:
        st.success(f"**generation finished**: {sv.finished_reason(traces, s.max_len)}.")
    if forks:
        original = sv.get_path(st.session_state[CACHE], model, version, s, {})
        first = min(forks)
        with st.container(border=True):
            st.markdown(
                f"**What if**: you forced {', '.join(f'step {t} → `{vocab[v]}`' for t, v in sorted(forks.items()))}. "
                f"Steps before {first} are the same; the path forked at step {first}.\n\n"
                f"- original ({s.rule_obj().describe()}): *{rc.text_of(model, original)}*\n"
                f"- forked at step {first}: *{rc.text_of(model, traces)}*"
            )
            st.button("↩ Back to the original path", on_click=back_to_original)

    st.subheader(f"Step {step}: feed {tr.input!r}")
    left, right = two_columns()
    with left:
        st.latex(sv.input_latex(tr, prec))
        if step == 1:
            if model.corpus_name.startswith("seed") and model.steps_trained:
                st.caption("The seed document's x_1 = [0.1, 0.3, 0.5] is the *initial* embedding of "
                           "“I”; training has moved it to the values above.")
            st.latex(sv.h0_latex(tr))
        st.latex(r"h_t = \tanh(W_x x_t + W_h h_{t-1} + b_h)")
        st.latex(sv.preactivation_latex(tr, prec))
        st.latex(sv.hidden_latex(tr, prec))
    with right:
        show_chart(charts.hidden_figure(tr), "st_hidden", config={"displayModeBar": False})

    left, right = two_columns()
    with left:
        st.latex(sv.output_equations_latex(tr))
        st.latex(sv.output_latex(tr, vocab, prec))
        st.markdown("**The pick**: the chosen word is embedded and fed back as the next input.")
        st.latex(sv.pick_latex(tr, prec))
        if step < n:
            st.latex(sv.next_input_latex(tr, model.params.embedding, prec))
            st.caption(f"x_{step + 1} is row {tr.token_id} of the embedding ({V} × {E}).")
    with right:
        ids = charts.shown_ids(tr)
        dist = charts.distribution_figure(tr, vocab)
        clickable = tr.how != "prompt"
        show_chart(dist, "st_dist", on_select=(lambda: force_from_chart(step, ids, traces)) if clickable else "ignore",
                   selection_mode="points", config={"displayModeBar": False})
        st.caption(("Click a bar to force that token at this step (what if?). " if clickable else
                    "This step feeds the next word of your prompt. ") + "Grey bars: cut by top-k/top-p.")

    if tr.how != "prompt":
        f1, f2 = st.columns([3, 1], vertical_alignment="bottom")
        order = sorted(range(V), key=lambda v: -tr.probs[v])
        f1.selectbox(f"What if step {step} picked another token?", order, key="st_force_token",
                     format_func=lambda v: f"{vocab[v]}  (y = {tr.probs[v]:.3f})")
        f2.button("Force it", on_click=force_from_box, args=(step, traces), width="stretch")

    if H == 3:
        fig = charts.trajectory_figure(traces, step)
        fig.update_layout(scene_camera=dict(eye=CAMERAS[st.session_state.get("st_camera", "corner")]))
        show_chart(fig, "st_traj")
    else:
        show_chart(charts.hidden_heatmap(traces, step), "st_heat")

    st.subheader("Autoregressive vs teacher forcing")
    corpus = model.corpus()
    ref = None if corpus is None else corpus.continuation(traces[0].input)
    if ref is None:
        why = "this model stores no training text" if corpus is None else \
            f"the training text never contains {traces[0].input!r}"
        st.info(f"No training sentence to compare with: {why}.")
    else:
        st.caption(
            "In training (teacher forcing) the model is always fed the true previous token. Generating, it "
            "is fed its own picks: once a pick leaves the training text, every later input does too. "
            "p(true next) is y_t of the training text's next token at this step of the generated path."
        )
        rows = sv.teacher_rows(model, traces[:step], ref)
        st.dataframe(rows, hide_index=True, width="stretch",
                     column_config={"p(picked)": st.column_config.NumberColumn(format="%.3f"),
                                    "p(true next)": st.column_config.NumberColumn(format="%.3f")})


step_view()

with st.expander("Shapes of the parameters", expanded=True):
    st.latex(sv.shapes_latex(model.params))
    st.markdown(
        f"The seed document writes $W_y$ as $3\\times3$. It turns $h_t$ ($H = {H}$ numbers) into one score "
        f"per vocabulary token, so here it is $V \\times H$ = **{V} × {H}**."
    )
