"""Step-Through's state in ``st.session_state``: settings and the URL, forced tokens, the path
cache, guess mode, where the walk opens, and the callbacks of the step area and the settings.

The browser steps through the walk on its own (``ui.step.walk``); the server keeps what changes
the walk. Keys (prefix ``step_``): ``SETTINGS`` (the canonical ``Settings``; its ``step`` is where
the walk opened, from the link), ``FORKS`` ({step: token id}), ``PATHS`` (the path cache),
``FOR_VERSION`` (the model version these belong to), ``GUESSES`` ({step: guessed token id or
None}), ``REVEALED`` (guess mode: steps 1..REVEALED have their pick shown), ``GOTO`` ((seq, step):
a request to the browser to show that step, honoured once per seq), ``SHOWN`` (the step on screen
as last heard from the browser), ``NOTICE`` (a message for the next run). The settings widgets'
keys are ``WIDGETS``: Streamlit drops a widget's key when the visitor leaves the page, so the
canonical values live under ``SETTINGS`` and each widget takes its value from there.

Callbacks take what they need as arguments (the model, its version); none reads a page's globals.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import rnn_core as rc
from rnn_core import StepTrace
from ui.step import path as step_path
from ui.step import settings as step_settings
from ui.step.keys import (
    FOR_VERSION,
    FORKS,
    GOTO,
    GUESSES,
    NOTICE,
    PATHS,
    REPORTER,
    REVEALED,
    SETTINGS,
    SHOWN,
    WALK,
    WIDGETS,
    WRITTEN,
)
from ui.step.settings import Settings

ss = st.session_state
SPEEDS = (0.5, 1.0, 2.0, 3.0, 5.0)  # autoplay: seconds per step


# ---------------------------------------------------------------- the visit


def start(model: rc.Model, version: int) -> list[tuple[str, str]]:
    """On a first visit or a followed link (the query string decides) or for a new model (the
    defaults): settings, forced tokens, a fresh cache. Returns (st function, message) pairs to show."""
    link = SETTINGS in ss and incoming_link()
    if ss.get(FOR_VERSION) == version and not link:
        return []
    defaults = Settings(word=model.first_word())
    if SETTINGS not in ss or link:
        query = st.query_params.to_dict()
        s, warnings = step_settings.from_query(query, defaults, model)
        forks, malformed = step_settings.forks_from_query(query.get(step_settings.FORCE_KEY, ""), model)
        notices = [("warning", w) for w in warnings]
    else:
        s, forks, malformed = replace(defaults, guess=ss[SETTINGS].guess), {}, []
        notices = [("info", "The model changed, so the walk-through starts again from its first word.")]
    cache: dict = {}
    forks, refused = step_path.apply_forks(cache, model, version, s, forks)
    refused = step_settings.summarised(malformed + refused)
    n = len(step_path.get_path(cache, model, version, s, forks))
    if s.step > n:
        refused.append(f"The link asks for step {s.step}, but this path has {n} steps; showing step {n}.")
        s = replace(s, step=n)
    ss.update({SETTINGS: s, FORKS: forks, PATHS: cache, FOR_VERSION: version, GUESSES: {}, REVEALED: s.step - 1})
    goto(s.step)
    for key in WIDGETS.values():
        ss.pop(key, None)
    return notices + [("warning", w) for w in refused]


def incoming_link() -> bool:
    """Does the URL hold this page's keys other than those the page itself last wrote? Then the
    visitor followed a link (e.g. a node of Generate's tree) or typed one, in a session that had
    already been here: the link's settings replace the session's. The step is not compared: the
    browser writes it (``ui.step.walk``) as the visitor steps."""
    query = {k: v for k, v in st.query_params.to_dict().items() if k in step_settings.QUERY_KEYS and k != "step"}
    return bool(query) and query != ss.get(WRITTEN)


def settings() -> Settings:
    return ss[SETTINGS]


def forks() -> dict[int, int]:
    return ss[FORKS]


def path(model: rc.Model, version: int, forced: dict[int, int] | None = None) -> list[StepTrace]:
    """The current path (or, with ``forced``, the path with those forced tokens instead)."""
    return step_path.get_path(ss[PATHS], model, version, settings(), ss[FORKS] if forced is None else forced)


def weighted(model: rc.Model) -> rc.Model:
    """The model with the weights the walk is replayed with (``Settings.weights``)."""
    return step_path.model_at(model, settings())


def path_key(version: int) -> tuple:
    """What identifies the path on screen (model version, settings, forced tokens), for caches."""
    return step_path.path_key(version, settings(), ss[FORKS])


def goto(step: int) -> None:
    """Ask the browser to show ``step`` (once: a new request number)."""
    seq = ss.get(GOTO, (0, 0))[0] + 1
    ss[GOTO] = (seq, step)
    ss[SHOWN] = step


def shown_step(n: int) -> int:
    """The step on screen as last heard (a trigger, the step reporter, or where the walk opened),
    inside the path's 1..n."""
    return step_settings.clamp_step(ss.get(SHOWN, settings().step), n)


def revealed(n: int) -> int:
    """How many steps of an n-step walk have their pick on screen: all of them, unless guess mode
    waits for the class."""
    return n if not settings().guess else min(ss[REVEALED], n)


def apply_widgets(model: rc.Model) -> str | None:
    """Take the widgets' values as the settings, or keep the old ones and return an error message
    when a value is refused. A new walk drops the forks and the guesses; other weights replay
    the same walk, forks included, and drop only the guesses (the picks may change)."""
    s = settings()
    raw = {field: ss.get(key, step_settings.value(s, field)) for field, key in WIDGETS.items()}
    typed = {**raw, "seed": int(raw["seed"]), "max_len": int(raw["max_len"]), "guess": bool(raw["guess"]),
             "weights": step_settings.own_weights(raw["weights"], model), "rule.top_k": int(raw["rule.top_k"]),
             **{f: round(float(raw[f]), 2) for f in ("rule.temperature", "rule.top_p")}}
    try:
        wanted = step_settings.with_values(s, typed)
        step_settings.check(wanted, model)
    except rc.RnnCoreError as e:
        return f"{e} The walk-through below still shows {s.word!r}."
    if wanted.walk_key() != s.walk_key():
        ss[FORKS] = {}
    if wanted.path_key() != s.path_key():
        ss[GUESSES] = {}
    if wanted.guess and not s.guess:  # from now on: what was seen stays seen, the current pick hides
        ss[REVEALED] = ss.get(SHOWN, 1) - 1
    ss[SETTINGS] = wanted
    return None


def write_query(vocab: tuple[str, ...]) -> None:
    """The URL's query string for the current walk; only this page's keys (the theme's and the
    model's stay), and never ``step``, which the browser keeps as the visitor steps."""
    wanted = step_settings.to_query(settings(), ss[FORKS], vocab)
    wanted.pop("step", None)
    for key in step_settings.QUERY_KEYS:
        if key not in wanted and key != "step" and key in st.query_params:
            del st.query_params[key]
    if {k: st.query_params.get(k) for k in wanted} != wanted:
        st.query_params.update(wanted)
    ss[WRITTEN] = wanted


def take_notice() -> str | None:
    """The message a callback left for this run (shown once)."""
    return ss.pop(NOTICE, None)


# ---------------------------------------------------------------- callbacks


def _event(name: str) -> dict:
    """The payload the step area sent with its ``name`` event (on the run the event arrived)."""
    value = (ss.get(WALK) or {}).get(name)
    return value if isinstance(value, dict) else {}


def _step_of(payload: dict, n: int) -> int | None:
    t = payload.get("t")
    return step_settings.clamp_step(t, n) if isinstance(t, int) and not isinstance(t, bool) else None


def on_fork(model: rc.Model, version: int) -> None:
    """A clicked bar or the what-if list: force that token at the step on screen."""
    payload, traces = _event("fork"), path(model, version)
    t, token_id = _step_of(payload, len(traces)), payload.get("token")
    if t is None or not isinstance(token_id, int) or not 0 <= token_id < len(model.vocab):
        return
    force(model, version, t, token_id)


def force(model: rc.Model, version: int, t: int, token_id: int) -> None:
    """Force ``token_id`` at step t of the current path (what if?); the walk stays at step t."""
    try:
        ss[FORKS] = step_path.fork_path(ss[PATHS], model, version, settings(), ss[FORKS], path(model, version),
                                        t, token_id)
    except rc.RnnCoreError as e:  # e.g. a step that feeds the prompt: nothing to fork there
        ss[NOTICE] = str(e)
        return
    ss[GUESSES] = {k: v for k, v in ss[GUESSES].items() if k <= t}
    ss[REVEALED] = min(ss[REVEALED], t)
    goto(t)


def on_unfork(model: rc.Model, version: int) -> None:
    """Back to the original path, at the step on screen."""
    t = _step_of(_event("unfork"), len(path(model, version)))
    ss[FORKS] = {}
    goto(t or 1)


def on_reveal(model: rc.Model, version: int) -> None:
    """Guess mode: the class's guess of step t (or none) is kept and step t's pick is shown; the
    record then holds step t + 1 without its pick."""
    payload, n = _event("reveal"), len(path(model, version))
    t, guess = _step_of(payload, n), payload.get("guess")
    if t is None or t != ss[REVEALED] + 1:  # only the step waiting for its reveal
        return
    ss[GUESSES] = {**ss[GUESSES], t: guess if isinstance(guess, int) and 0 <= guess < len(model.vocab) else None}
    ss[REVEALED] = t
    ss[SHOWN] = t


def on_shown() -> None:
    """The step reporter sent the step on screen."""
    step = (ss.get(REPORTER) or {}).get("step")
    if isinstance(step, int) and step >= 1:
        ss[SHOWN] = step


def reset() -> None:
    """Back to step 1 on the path the settings give: no forks, no guesses."""
    ss[FORKS], ss[GUESSES], ss[REVEALED] = {}, {}, 0
    goto(1)
