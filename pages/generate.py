"""Generate: many continuations of a prompt, and a lab of views on how the picking rule shapes them.

One view at a time (a segmented control, bound to the URL's ``view`` by ``ui.generate.link``, which
checks the link first), so only the chosen view is computed and drawn. Results are kept in session
state by ``ui.generate.state``: summaries for the sample list, full traces for the one inspected
sample, one heavier view result at a time, each bounded.
"""

import streamlit as st

import rnn_core as rc
from ui.common import links
from ui.common.session import cached, model_version, start_page
from ui.common.text import md_literal
from ui.generate import beam_view, inspect_view, samples_view, tree_view
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state
from ui.generate.controls import controls
from ui.generate.link import check_link, follow_link, write_link
from ui.views import draws_view, influence_view, rule_panels

VIEWS = ("Samples", "Inside one sample", "Rules side by side", "Draws vs theory", "Influence", "Tree", "Beam")


def samples(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    """Every sample's text, the table, and three rules compared."""
    with st.spinner(f"Generating {s.n} sample{'s' * (s.n > 1)}…"):
        paths = generate_state.run(model, version, s)
    st.subheader(f"{s.n} sample{'s' * (s.n > 1)} · {s.rule.describe()}")
    samples_view.show_texts(paths, model.level)
    samples_view.show_summary(samples_view.samples_table(model, paths, model.corpus()))
    st.subheader("Compare rules")
    samples_view.show_compare(model, version, s)


def inspected_step(model: rc.Model, version: int, s: generate_state.Settings) -> tuple[list[rc.StepTrace], int, int]:
    """The sample and step chosen (shared by four views): its full traces, the sample, the step."""
    sample, t = inspect_view.choose_step(generate_state.run(model, version, s), generate_state.inspectable_steps(model))
    traces = generate_state.inspected(model, version, s, sample)
    st.markdown(inspect_view.step_line(traces[t - 1], sample))
    return traces, sample, t


def inside(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    """One step's y_t, q_t and h, every step as heatmaps, the downloads."""
    traces, sample, t = inspected_step(model, version, s)
    vocab = model.vocab.tokens
    inspect_view.show_step(traces[t - 1], vocab, s.rule)
    inspect_view.show_all_steps(traces, vocab)
    inspect_view.show_downloads(model, traces, s, sample)


def rules(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    """The inspected step's o_t through every rule, side by side."""
    traces, _, t = inspected_step(model, version, s)
    knobs = rule_panels.panel_knobs(s.rule, len(model.vocab), key=generate_keys.PANEL_PREFIX)
    context = [tr.input_id for tr in traces[:t]]  # every token fed in up to step t
    rule_panels.render_rule_panels(traces[t - 1], model.vocab.tokens, knobs, key=generate_keys.PANEL_PREFIX,
                                   context=context)


def draws(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    """N draws from the inspected step's q_t against N q_t."""
    traces, _, t = inspected_step(model, version, s)
    draws_view.render_draws(traces[t - 1], model.vocab.tokens, key=generate_keys.DRAWS_PREFIX)


def influence(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    """How much each earlier token moves the inspected step's prediction."""
    traces, sample, t = inspected_step(model, version, s)
    wrt = influence_view.choose_wrt(key=f"{generate_keys.INFLUENCE_PREFIX}_wrt")
    inf = cached(generate_keys.VIEW_RESULT, ("influence", s.key(version), sample, wrt),
                    lambda: influence_view.influence_of(model, traces, wrt))
    influence_view.show_influence(inf, t, key=generate_keys.INFLUENCE_PREFIX)


def tree(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    """The tree of continuations; a click on a box opens its prefix in Step-Through."""
    query = tree_view.show_tree(model, version, s, key=generate_keys.TREE_PREFIX)
    if query is not None:
        st.switch_page(links.STEP_THROUGH, query_params=query)


def beam(model: rc.Model, version: int, s: generate_state.Settings) -> None:
    beam_view.show_beam(model, version, s, key=generate_keys.BEAM_PREFIX)


SHOW = dict(zip(VIEWS, (samples, inside, rules, draws, influence, tree, beam)))

model = start_page()
version = model_version()
st.title("Generate")
st.caption("The model writes on its own: each token it picks is fed back as the next input. "
           "Draw many samples and see how the picking rule shapes what comes out.")
settings, weighted = controls(model, version)
link = check_link({generate_keys.VIEW: VIEWS},
                  {generate_keys.VIEW: VIEWS[0]})  # /generate?view= or ?view=Bogus: a warning, no crash
follow_link(generate_keys.VIEW, link[generate_keys.VIEW], VIEWS[0])
view = st.segmented_control("View", VIEWS, key=generate_keys.VIEW, required=True, on_change=write_link,
                            args=(generate_keys.VIEW,),
                            label_visibility="collapsed")
try:
    SHOW[view](weighted, version, settings)
except rc.RnnCoreError as e:
    st.error(f"{md_literal(e)} Change the prompt or the settings above.")
