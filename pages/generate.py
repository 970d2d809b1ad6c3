"""Generate: many continuations of a prompt, every step's distribution and hidden vector.

Generated paths are kept in ``st.session_state`` under ``gen_run`` (and ``gen_compare``), keyed
to (model version, settings): moving a slider never regenerates, changing a setting does.
"""

from functools import partial

import numpy as np
import streamlit as st

import rnn_core as rc
from ui import generate_view as gv
from ui.charts import distribution_figure, distributions_heatmap, hidden_figure, hidden_heatmap
from ui.text import md_literal
from ui.state import model_version, start_page

RUN, COMPARE = "gen_run", "gen_compare"
MAX_TOKENS = 500
MAX_COLORED = 10_000  # coloured tokens drawn at most: past that the HTML slows the browser


def cached(slot: str, key: tuple, make):
    """``make()`` once per ``key``: the last result is kept in session state under ``slot``."""
    held = st.session_state.get(slot)
    if held is None or held["key"] != key:
        held = {"key": key, "value": make(), "id": (held["id"] + 1) if held else 0}
        st.session_state[slot] = held
    return held


def controls(model: rc.Model, version: int):
    """The settings widgets; returns (prompt, rule, max_tokens, n, seed). The prompt's key carries
    the model version so a new model starts from its own first word."""
    c1, c2, c3, c4 = st.columns([3, 2, 2, 2])
    unit = "words" if model.level == "word" else "characters"
    prompt = c1.text_input(f"Prompt (one or more {unit})", value=model.first_word(), key=f"gen_prompt_{version}",
                           help="Fed in as given; generation continues after its last token.")
    strategy = c2.radio("Rule", ["sample", "greedy"], horizontal=True, key="gen_rule",
                        help="greedy: always the most probable token. sample: draw from y_t reshaped below.")
    n = c3.slider("Number of samples", 1, 50, 10, key="gen_n")
    seed = c4.number_input("RNG seed", 0, 2**32 - 1, 0, key="gen_seed",
                           help="Sample #i is rnn_core.generate(..., seed=seed, sample=i-1): "
                                "each sample has its own reproducible random numbers.")
    greedy = strategy == "greedy"
    c1, c2, c3, c4 = st.columns(4)
    temperature = c1.slider("Temperature", 0.0, 3.0, 1.0, 0.05, key="gen_temperature", disabled=greedy,
                            help="Divides the logits: < 1 sharpens y_t, > 1 flattens it; 0 is greedy.")
    top_k = c2.number_input("Top-k (0 = off)", 0, None, 0, key="gen_top_k", disabled=greedy,
                            help="Keep only the k most probable tokens.")
    top_p = c3.slider("Top-p", 0.05, 1.0, 1.0, 0.05, key="gen_top_p", disabled=greedy,
                      help="Keep the smallest most-probable set whose mass reaches p.")
    max_tokens = c4.number_input("Max tokens", 1, MAX_TOKENS, 20, key="gen_max_tokens",
                                 help="Stop after this many generated tokens if </s> has not come.")
    rule = rc.GREEDY if greedy else rc.Rule("sample", float(temperature), int(top_k), float(top_p))
    return prompt, rule, int(max_tokens), int(n), int(seed)


def text_box(n_paths: int, n_tokens: int):
    """A container for coloured texts: a scrolling box of its own when the list is long."""
    return st.container(height=480) if n_paths > 12 or n_tokens > 1000 else st.container()


def show_texts(paths, level: str) -> None:
    """Every sample, numbered (up to MAX_COLORED tokens in all); a long list scrolls in its own box."""
    sizes = np.cumsum([len(p) for p in paths])
    shown = max(1, int(np.searchsorted(sizes, MAX_COLORED, side="right")))
    box = text_box(len(paths), int(sizes[-1]))
    box.markdown(gv.TOKEN_CSS + gv.legend_html() + "".join(
        gv.colored_html(p, level, f"#{i}") for i, p in enumerate(paths[:shown], start=1)), unsafe_allow_html=True)
    if shown < len(paths):
        box.caption(f"Samples #{shown + 1}–#{len(paths)} are in the table below: colouring stops at "
                    f"{MAX_COLORED:,} tokens to keep the page quick.")


def show_summary(table, corpus) -> None:
    s = gv.summary(table)
    c1, c2, c3 = st.columns(3)
    c1.metric("Distinct texts", f"{s['distinct']} of {s['samples']}")
    if s["reproduced"] is None:
        c2.metric("Training sentence reproduced", "unknown")
        c2.caption("This model stores no training text to compare with.")
    else:
        c2.metric("Training sentence reproduced", f"{s['reproduced']} of {s['samples']}",
                  help="The text up to the first </s> (char level: newline) is exactly a training sentence.")
    c3.metric("Mean tokens generated", f"{s['mean length']:.1f}")
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "log p": st.column_config.NumberColumn(format="%.3f", help="sum of log y_t(chosen) over generated steps"),
        "perplexity": st.column_config.NumberColumn(format="%.3f", help="exp(-log p / tokens generated)"),
    })


@st.fragment
def inspector(model: rc.Model, paths, run_id: int) -> None:
    """One sample: its steps (``step_view``), the heatmaps over all its steps, and its export.
    A fragment: picking another sample reruns only this part of the page."""
    vocab = model.vocab.tokens
    i = st.columns([1, 3])[0].number_input("Sample", 1, len(paths), 1, key=f"gen_sample_{run_id}",
                                           help="Its number in the list above.") if len(paths) > 1 else 1
    traces = paths[i - 1]
    step_view(model, traces, f"{run_id}_{i}")

    c1, c2 = st.columns([3, 2])
    c1.plotly_chart(distributions_heatmap(traces, vocab), width="stretch",
                   key="gen_dist_heatmap")
    c2.plotly_chart(hidden_heatmap(traces), width="stretch", key="gen_hidden_heatmap")

    # Callables: the file is built only when clicked, so moving the sliders does not pay for it.
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button("Download trace (CSV)", partial(gv.trace_csv, traces, vocab), f"sample-{i}.csv",
                       "text/csv", key="gen_csv", on_click="ignore")
    c2.download_button("Download trace (JSON)", partial(gv.trace_json, model, traces), f"sample-{i}.json",
                       "application/json", key="gen_json", on_click="ignore")


@st.fragment
def step_view(model: rc.Model, traces, slot: str) -> None:
    """Step t of one sample: y_t, h_{t-1} -> h_t, and the temperature explorer on o_t. A fragment
    of its own, so moving the step resends these three charts only, not the heatmaps."""
    vocab = model.vocab.tokens
    if len(traces) > 1:
        t = st.slider("Step", 1, len(traces), 1, key=f"gen_step_{slot}",
                      help="Each step feeds one token in and gives y_t over the next one.")
    else:
        t = 1
        st.caption("This sample has a single step.")
    trace = traces[t - 1]
    c1, c2 = st.columns(2)
    c1.plotly_chart(distribution_figure(trace, vocab), width="stretch", key="gen_dist")
    c2.plotly_chart(hidden_figure(trace), width="stretch", key="gen_hidden")

    c1, c2 = st.columns([1, 3], vertical_alignment="center")
    c1.markdown("**Temperature explorer**")
    c1.caption(f"The logits o_{trace.t} of this step, divided by T before the softmax: T < 1 sharpens "
               "the distribution towards the most probable token, T > 1 flattens it.")
    T = c1.slider("T", 0.05, 5.0, 1.0, 0.05, key="gen_explore_T")
    c2.plotly_chart(gv.temperature_figure(trace, vocab, T), width="stretch", key="gen_temperature_fig")


def compare(model: rc.Model, version: int, prompt, max_tokens: int, seed: int, n: int) -> None:
    """Greedy and sampling at a low and a high temperature, side by side, same prompt and seed:
    sample i of each sampling column meets the same random numbers, so only the rule differs."""
    c1, c2, _ = st.columns([1, 1, 2])
    low = c1.number_input("Low T", 0.05, 5.0, 0.5, 0.05, key="gen_low_T")
    high = c2.number_input("High T", 0.05, 5.0, 1.5, 0.05, key="gen_high_T")
    k = min(n, 10)
    st.caption(f"{k} samples per rule from the same prompt and seed; equal texts are shown once "
               "with how many samples gave them (n×).")
    key = (version, prompt, max_tokens, seed, k, low, high)
    runs = cached(COMPARE, key, lambda: gv.compare_rules(model, prompt, max_tokens, seed, k, low, high))["value"]
    for col, (label, paths) in zip(st.columns(3), runs.items()):
        with col:
            table = gv.samples_table(model, paths, None)
            st.markdown(f"**{label}**: {table['text'].nunique()} distinct of {len(paths)}, "
                        f"mean perplexity {table['perplexity'].mean():.2f}")
            groups = gv.distinct_paths(paths)
            html = "".join(gv.colored_html(p, model.level, f"{count}×", small=True) for p, count in groups)
            text_box(len(groups), sum(len(p) for p, _ in groups)).markdown(gv.TOKEN_CSS + html,
                                                                           unsafe_allow_html=True)


model = start_page()
version = model_version()
st.title("Generate")
st.caption("The model writes on its own: each token it picks is fed back as the next input. "
           "Draw many samples and compare how the picking rule shapes what comes out.")

prompt, rule, max_tokens, n, seed = controls(model, version)
try:
    with st.spinner("Generating…"):
        run = cached(RUN, (version, prompt, rule, max_tokens, n, seed),
                     lambda: gv.samples(model, prompt, rule, max_tokens, seed, n))
except rc.RnnCoreError as e:
    st.error(f"{md_literal(e)} Change the prompt or the settings above.")
    st.stop()
paths = run["value"]
corpus = model.corpus()

st.subheader(f"{n} sample{'s' * (n > 1)} · {rule.describe()}")
show_texts(paths, model.level)
show_summary(gv.samples_table(model, paths, corpus), corpus)

st.subheader("Inside one sample")
inspector(model, paths, run["id"])

st.subheader("Compare rules")
compare(model, version, prompt, max_tokens, seed, n)
