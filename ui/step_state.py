"""Step-Through's state in ``st.session_state``: settings and the URL, forced tokens, the path
cache, the guesses, autoplay, and the callbacks of the page's buttons.

Keys (prefix ``step_``): ``SETTINGS`` (the canonical ``Settings``, step included), ``FORKS``
({step: token id}), ``PATHS`` (the path cache), ``FOR_VERSION`` (the model version these belong
to), ``GUESSES`` ({step: guessed token id or None}), ``REVEALED`` (steps whose pick the class has
seen in guess mode), ``PLAYING`` (autoplay on), ``NOTICE`` (a message for the next run). The
settings widgets' keys are ``WIDGETS``: Streamlit drops a widget's key when the visitor leaves
the page, so the canonical values live under ``SETTINGS`` and each widget takes its value from
there (``ui.step_controls.settings_box``).

Callbacks take what they need as arguments (the model, its version, the step); none reads a
page's globals.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

import rnn_core as rc
from rnn_core import StepTrace
from ui import step_path
from ui import step_settings as ssets
from ui.step_settings import Settings

ss = st.session_state
SETTINGS, FORKS, PATHS, FOR_VERSION = "step_settings", "step_forks", "step_paths", "step_for_version"
GUESSES, REVEALED, PLAYING, NOTICE = "step_guesses", "step_revealed", "step_playing", "step_notice"
WRITTEN = "step_written_query"  # the query string this page last wrote (see ``incoming_link``)
WIDGETS = {"word": "step_word", "rule": "step_rule", "temperature": "step_T", "top_k": "step_k",
           "top_p": "step_p", "seed": "step_seed", "max_len": "step_max", "guess": "step_guess",
           "weights": "step_weights"}  # no weights slider for a model without earlier weights
DECIMALS, SPEED, CAMERA, SHOW_3D = "step_decimals", "step_speed", "step_camera", "step_show_3d"
GUESS_BOX, FORCE_BOX, DIST_CHART = "step_guess_box", "step_force_box", "step_dist"
NEXT, PREV, NEXT_TWIN, PREV_TWIN, PLAY = "step_next", "step_prev", "step_next_twin", "step_prev_twin", "step_play"
RESET = "step_reset"
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
        s, warnings = ssets.from_query(query, defaults, model)
        forks, more = ssets.forks_from_query(query.get(ssets.FORCE_KEY, ""), model)
        notices = [("warning", w) for w in warnings + more]
    else:
        s, forks = replace(defaults, guess=ss[SETTINGS].guess), {}
        notices = [("info", "The model changed, so the walk-through starts again from its first word.")]
    cache: dict = {}
    forks, refused = step_path.apply_forks(cache, model, version, s, forks)
    n = len(step_path.get_path(cache, model, version, s, forks))
    if s.step > n:
        refused.append(f"The link asks for step {s.step}, but this path has {n} steps; showing step {n}.")
        s = replace(s, step=n)
    ss.update({SETTINGS: s, FORKS: forks, PATHS: cache, FOR_VERSION: version, GUESSES: {},
               REVEALED: set(range(1, s.step)), PLAYING: False})
    for key in WIDGETS.values():
        ss.pop(key, None)
    return notices + [("warning", w) for w in refused]


def incoming_link() -> bool:
    """Does the URL hold this page's keys other than those the page itself last wrote? Then the
    visitor followed a link (e.g. a node of Generate's tree) or typed one, in a session that had
    already been here: the link's settings replace the session's."""
    query = {k: v for k, v in st.query_params.to_dict().items() if k in ssets.QUERY_KEYS}
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


def apply_widgets(model: rc.Model) -> str | None:
    """Take the widgets' values as the settings, or keep the old ones and return an error message
    when a value is refused. A new walk drops the forks and the guesses; other weights replay
    the same walk, forks included, and drop only the guesses (the picks may change)."""
    s = settings()
    raw = {field: ss.get(key, getattr(s, field)) for field, key in WIDGETS.items()}
    wanted = replace(s, **{**raw, "top_k": int(raw["top_k"]), "seed": int(raw["seed"]), "max_len": int(raw["max_len"]),
                           "temperature": round(float(raw["temperature"]), 2), "top_p": round(float(raw["top_p"]), 2),
                           "guess": bool(raw["guess"]), "weights": ssets.own_weights(raw["weights"], model)})
    try:
        ssets.check(wanted, model)
    except rc.RnnCoreError as e:
        return f"{e} The walk-through below still shows {s.word!r}."
    if wanted.walk_key() != s.walk_key():
        ss[FORKS] = {}
    if wanted.path_key() != s.path_key():
        ss[GUESSES] = {}
    if wanted.guess and not s.guess:  # from now on: what was seen stays seen, the current pick hides
        ss[REVEALED] = set(range(1, wanted.step))
    ss[SETTINGS] = wanted
    return None


def current_step(n: int) -> int:
    """The step on screen, inside the path's 1..n (a shorter new path moves it back)."""
    s = settings()
    step = ssets.clamp_step(s.step, n)
    if step != s.step:
        ss[SETTINGS] = replace(s, step=step)
    return step


def is_revealed(step: int) -> bool:
    """Is step's pick on screen? Always, unless guess mode waits for the class's guess."""
    return not settings().guess or step in ss[REVEALED]


def write_query(vocab: tuple[str, ...]) -> None:
    """The URL's query string for the current view; only this page's keys (the theme's stay)."""
    wanted = ssets.to_query(settings(), ss[FORKS], vocab)
    for key in ssets.QUERY_KEYS:
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
    if {k: st.query_params.get(k) for k in wanted} != wanted:
        st.query_params.update(wanted)
    ss[WRITTEN] = wanted


def take_notice() -> str | None:
    """The message a callback left for this run (shown once)."""
    return ss.pop(NOTICE, None)


# ---------------------------------------------------------------- callbacks


def go_to(step: int) -> None:
    ss[SETTINGS] = replace(settings(), step=step)
    _stop_autoplay()


def next_step(n: int) -> None:
    """Next / PageDown / Right: in guess mode first reveal the pick (keeping the guess), then move."""
    _advance(n)
    _stop_autoplay()


def _advance(n: int) -> None:
    step = settings().step
    if not is_revealed(step):
        ss[GUESSES] = {**ss[GUESSES], step: ss.get(guess_key(step))}
        ss[REVEALED] = ss[REVEALED] | {step}
    elif step < n:
        ss[SETTINGS] = replace(settings(), step=step + 1)


def guess_key(step: int) -> str:
    """The guess box of one step: a key per step, so each step's box starts empty."""
    return f"{GUESS_BOX}_{step}"


def reset() -> None:
    """Back to step 1 on the path the settings give: no forks, no guesses."""
    ss[FORKS], ss[GUESSES], ss[REVEALED] = {}, {}, set()
    ss[SETTINGS] = replace(settings(), step=1)
    _stop_autoplay()


def force(model: rc.Model, version: int, t: int, token_id: int) -> None:
    """Force ``token_id`` at step t of the current path (what if?)."""
    try:
        ss[FORKS] = step_path.fork_path(ss[PATHS], model, version, settings(), ss[FORKS], path(model, version),
                                        t, token_id)
    except rc.RnnCoreError as e:  # e.g. a step that feeds the prompt: nothing to fork there
        ss[NOTICE] = str(e)
        return
    ss[GUESSES] = {k: v for k, v in ss[GUESSES].items() if k <= t}


def force_from_chart(model: rc.Model, version: int, t: int) -> None:
    """A clicked bar forces its token (bars carry token ids as customdata; -1 is "others")."""
    event = ss.get(DIST_CHART)
    points = event.selection.points if event else []
    token_id = int(points[0].get("customdata", -1)) if points else -1
    if token_id >= 0:
        force(model, version, t, token_id)


def force_from_box(model: rc.Model, version: int, t: int) -> None:
    force(model, version, t, ss[FORCE_BOX])


def back_to_original() -> None:
    ss[FORKS] = {}


# ---------------------------------------------------------------- autoplay


def autoplay_interval() -> float | None:
    """Seconds between autoplay steps while playing, else None (the page's fragment timer)."""
    return float(ss.get(SPEED, 1.0)) if ss.get(PLAYING) else None


def toggle_play(n: int) -> None:
    """Play / Pause. A full rerun follows (st.rerun in a callback): only a full run can start or
    stop the fragment's timer. Playing from the last step starts again at step 1."""
    ss[PLAYING] = not ss.get(PLAYING)
    if ss[PLAYING] and settings().step >= n and is_revealed(n):
        ss[SETTINGS] = replace(settings(), step=1)
    st.rerun()


def autoplay_tick(n: int) -> None:
    """While playing, each run of the step section moves one step (revealing first in guess
    mode); at the path's end (</s> or the length limit) autoplay stops and the app reruns in full,
    which ends the timer."""
    if not ss.get(PLAYING):
        return
    _advance(n)
    if settings().step >= n and is_revealed(n):
        ss[PLAYING] = False
        st.rerun()


def _stop_autoplay() -> None:
    """A presenter's own click takes over from autoplay (and stops its timer with a full rerun)."""
    if ss.get(PLAYING):
        ss[PLAYING] = False
        st.rerun()
