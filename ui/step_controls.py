"""Step-Through's controls: the settings (in a popover), Previous / Next / Play, the title that
names the step on screen, the guessing score and the what-if box that forces a token. The
callbacks are in ``ui.step_state``.

Keys: Next and Previous answer Right and Left (their own shortcuts) and a presenter's clicker,
PageDown and PageUp, through twin buttons that ``ui.step_layout`` hides (one shortcut per
button in Streamlit 1.67).
"""

from __future__ import annotations

import streamlit as st

import rnn_core as rc
from rnn_core import limits
from ui import step_guess
from ui import step_state as state
from ui.step_path import tokens_so_far
from ui.step_settings import RULES
from ui.theme import is_presenter
from ui.time_travel import choose_weights, kept_steps, why_no_slider
from ui.token_text import md_token, show_token

MAX_GUESS_BUTTONS = 20  # a larger vocabulary guesses with a select box


def settings_box(model: rc.Model) -> None:
    """Every setting, in a popover: out of the way and one click away. Each widget's value is the
    canonical setting (not one written into session state: a popover's widgets mount when it
    opens, and after a fragment rerun they would mount at their default)."""
    w, s = state.WIDGETS, state.settings()
    word = st.session_state.get(w["word"], s.word)
    words = [t for t in model.vocab.tokens if t != rc.EOS]
    words = words if word in words and s.word in words else list(dict.fromkeys([s.word, word, *words]))
    left, right = st.columns(2)
    left.selectbox("Seed word", words, index=words.index(s.word), key=w["word"], accept_new_options=True,
                   format_func=show_token, help="A word of the vocabulary, or type one (or several) and press Enter.")
    rule = right.radio("Picking rule", RULES, index=RULES.index(s.rule), key=w["rule"], horizontal=True,
                       help="sample: draw the next word from y_t (the seed's Step 4). greedy: the most probable.")
    off = rule != "sample"
    T, (left, right) = limits.TEMPERATURE, st.columns(2)
    left.slider("Temperature T", T.low, T.high, value=s.temperature, key=w["temperature"], step=T.step, disabled=off,
                help=f"Divides o_t before the softmax: below 1 sharper, above 1 flatter; {T.range_text()}.")
    weights_box(right, model, s.weights)
    # Number boxes without Streamlit's own bounds, which clamp a typed value silently: the page
    # checks every value with rnn_core.limits and says why it refuses one (see ``check``).
    left, right = st.columns(2)
    left.number_input("top-k (0 = off)", value=s.top_k, step=1, key=w["top_k"], disabled=off,
                      help=f"{limits.TOP_K.help}; from 0 (off) to the vocabulary size {len(model.vocab)}.")
    right.number_input("top-p", value=s.top_p, step=0.05, key=w["top_p"], disabled=off,
                       help=f"{limits.TOP_P.help}; {limits.TOP_P.range_text()}.")
    left, right = st.columns(2)
    left.number_input("RNG seed", value=s.seed, step=1, key=w["seed"], disabled=off,
                      help=f"Seeds the draws u_t; {limits.SEED.range_text()}.")
    right.number_input("Max length", value=s.max_len, step=1, key=w["max_len"],
                       help=f"{limits.MAX_TOKENS.help}; {limits.MAX_TOKENS.range_text()}.")
    left, right = st.columns(2)
    left.select_slider("Decimals", list(range(1, 7)), value=3, key=state.DECIMALS, persist_state="session")
    right.select_slider("Autoplay: seconds per step", state.SPEEDS, value=1.0, key=state.SPEED,
                        persist_state="session")
    left, right = st.columns(2, vertical_alignment="center")
    left.toggle("Guess first", value=s.guess, key=w["guess"],
                help="The class guesses each pick before Next reveals it.")
    right.button("↺ Start again", on_click=state.reset, key=state.RESET, width="stretch",
                 help="Back to step 1 of the path these settings give: no forced tokens, no guesses.")


def weights_box(where, model: rc.Model, weights: int | None) -> None:
    """Training time-travel, in ``where``: the walk replayed with the weights after training step
    k (the model's own at first); a model that kept no earlier weights says so in one line."""
    steps = kept_steps(model)
    if len(steps) < 2:
        where.caption("Training time-travel: no earlier weights to replay.", help=why_no_slider(model))
        return
    choose_weights(where, steps, key=state.WIDGETS["weights"], value=steps[-1] if weights is None else weights,
                   replays="walk (same prompt, random numbers u_t and forced tokens)")


def top_row(model: rc.Model):
    """Step controls, the page's title with the step, and the settings: one row (in presenter mode
    the title gets a row of its own, so the enlarged buttons keep their labels on one line).
    Returns the slots filled once the path is known: the three buttons' and the title's."""
    big = is_presenter()
    title = st.container() if big else None
    widths = [1.8, 1.4, 1.3, 1.2, 1.6] if big else [1.35, 1.2, 1.1, 4.2, 1.25]
    prev, nxt, play, heading, gear = st.columns(widths, vertical_alignment="center")
    with gear.popover("⚙ Settings", width="stretch"):
        settings_box(model)
    return (prev, nxt, play), title or heading


def controls(slots, n: int, step: int, revealed: bool) -> None:
    """Previous / Next (Left / Right, and PageUp / PageDown through hidden twins for clickers), Play."""
    prev, nxt, play = slots
    first, last = step == 1, step == n and revealed
    back = dict(on_click=state.go_to, args=(step - 1,), disabled=first)
    forward = dict(on_click=state.next_step, args=(n,), disabled=last)
    prev.button("◀ Previous", **back, width="stretch", shortcut="Left", key=state.PREV,
                help="Also PageUp (a presenter's clicker).")
    nxt.button("Next ▶" if revealed else "Reveal ▶", **forward, width="stretch", type="primary", shortcut="Right",
               key=state.NEXT, help="Also PageDown (a presenter's clicker). Guessing, Next first reveals the pick.")
    st.button("Previous (PageUp)", **back, shortcut="PageUp", key=state.PREV_TWIN)
    st.button("Next (PageDown)", **forward, shortcut="PageDown", key=state.NEXT_TWIN)
    playing = st.session_state.get(state.PLAYING, False)
    play.button("❚❚ Pause" if playing else "▶▶ Play", on_click=state.toggle_play, args=(n,), width="stretch",
                key=state.PLAY, help="Step on to the end of the path, at the speed set in ⚙ Settings.")


def title(slot, n: int, step: int, tr: rc.StepTrace, revealed: bool, weights: int | None) -> None:
    """The page's title, with the step on screen: its number and the token it feeds in; when the
    walk is replayed with earlier weights, it starts with the training step they are from."""
    done = " · done" if step == n and revealed else ""
    where = "Step-Through" if weights is None else f"Trained {weights:,} step{'s' * (weights != 1)}"
    with slot.container(key="step_title"):
        st.title(f"{where} · step {step} of {n}: feed “{md_token(tr.input)}”{done}", anchor=False)


def guess_box(tr: rc.StepTrace, vocab: tuple[str, ...]) -> None:
    """The class's guess of step t's pick: a button per token (a clicker's PageDown then reveals:
    keys reach the page from a button, not from a text box), or a select for a large vocabulary."""
    label, key = f"Your guess: the token after “{md_token(tr.input)}”", state.guess_key(tr.t)  # a Markdown label
    if len(vocab) <= MAX_GUESS_BUTTONS:
        st.pills(label, range(len(vocab)), key=key, format_func=lambda v: md_token(vocab[v]))
    else:
        st.selectbox(label, range(len(vocab)), index=None, key=key, format_func=lambda v: show_token(vocab[v]),
                     placeholder="choose a token")


def guess_feedback(traces: list[rc.StepTrace], step: int, vocab: tuple[str, ...]) -> None:
    """In guess mode: how the class's guess for this step fared, and the running score."""
    guesses = st.session_state[state.GUESSES]
    guess = guesses.get(step)
    if guess is not None:
        st.markdown(step_guess.verdict_markdown(step_guess.judge(traces[step - 1], guess), vocab,
                                                traces[step - 1].token))
    score = step_guess.score(traces, guesses)
    st.caption("Score: " + (score.text() if score.guessed else "no guesses yet"))


def what_if(model: rc.Model, version: int, traces: list[rc.StepTrace], step: int, revealed: bool) -> None:
    """Force another token at this step; the forked path beside the original, up to this step."""
    forks, vocab, tr = state.forks(), model.vocab.tokens, traces[step - 1]
    if forks:
        original = state.path(model, version, forced={})
        forced = ", ".join(f"step {t} → “{md_token(vocab[v])}”" for t, v in sorted(forks.items()))
        so_far = {name: " ".join(md_token(t) for t in tokens_so_far(p, min(step, len(p)), revealed))
                  for name, p in (("original", original), ("forked", traces))}
        with st.container(border=True):
            st.markdown(f"**What if**: you forced {forced}; the path forked at step {min(forks)}.  \n"
                        f"original, up to here: *{so_far['original']}*  \nforked, up to here: *{so_far['forked']}*")
            st.button("↩ Back to the original path", on_click=state.back_to_original)
    if tr.how == "prompt" or not revealed:
        return
    box, button = st.columns([3, 1], vertical_alignment="bottom")
    order = sorted(range(len(vocab)), key=lambda v: -tr.probs[v])
    box.selectbox(f"What if step {step} picked another token?", order, key=state.FORCE_BOX,
                  format_func=lambda v: f"{show_token(vocab[v])}  (y = {tr.probs[v]:.3f})")
    button.button("Force it", on_click=state.force_from_box, args=(model, version, step), width="stretch")
