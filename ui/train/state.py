"""Run control for the Train page: start a run in a worker process, follow it live, stop it,
and install what it learned; also the loss curves of the current model.

A run trains in its own process (``ui.train.worker``), so the session's script thread only looks
at it: ``live_run`` is a fragment that redraws itself every LIVE_EVERY seconds while the run goes
on (only it reruns, not the page), and when the run ends it installs the model and reruns the
whole app so every section and the sidebar show the new model. Stop asks the worker to end after
its current step; what it learned is kept. A visitor who leaves the Train page mid-run gets the
partial model on the page they open: ``app.py`` calls ``finish_interrupted`` for every other page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

import rnn_core as rc
from ui.common.session import model_version, set_model
from ui.common.text import md_literal
from ui.common.theme import plotly_chart
from ui.train import keys, worker
from ui.train import view as train_view

LIVE_EVERY = 1.0  # seconds between two redraws of a live run
NAME_SHOWN = 60  # characters of a corpus name shown in a model's tag
LIVE_POINTS = 500  # steps drawn of a live curve: its redraw costs the server a few milliseconds
LEAVE_WAIT = 30.0  # seconds to wait for a stopped run's last step when the visitor left the page
SAMPLES_SHOWN = 6  # live samples listed, the latest last
ss = st.session_state


@dataclass(frozen=True)
class RunRecord:
    """How the last run ended, as the page keeps it: its model (the new current model, or after a
    divergence the last finite weights, offered but not installed) and what the recorder kept
    beside the model's own history (smoothed losses, live samples, validation losses)."""

    status: str  # done | stopped | diverged
    model: rc.Model
    smoothed: np.ndarray  # (steps,) as model.history.losses
    samples: tuple[rc.training.LiveSample, ...]
    validation: tuple[rc.training.ValidationLoss, ...]
    version: int | None  # the model_version it was installed as (None: not installed)


def start_run(corpus: rc.Corpus, config: rc.TrainConfig) -> None:
    """Start training in a worker (the settings section has refused, with the core's message,
    a run too large to build or to fit the memory budget); if the start model still cannot be
    built, say why and start nothing."""
    try:
        start = rc.training.start_model(corpus, config)
    except rc.RnnCoreError as e:
        ss[keys.NOTICE] = ("error", f"Cannot train: {md_literal(e)}")
        return
    ss.pop(keys.NOTICE, None)
    ss[keys.LIVE_TAG] = model_tag(start, trained=False)
    ss[keys.LIVE] = worker.Job(worker.Request(start, corpus, config))


def model_tag(model: rc.Model, trained: bool = True) -> str:
    """Which model a view shows, in one line of Markdown: '“I love deep learning” · word level ·
    H = 3 · E = 3 · 60 steps trained' (without the steps: ``trained`` False). The name is repaired
    (a lone surrogate cannot be sent to the browser) and cut to NAME_SHOWN characters."""
    name = model.corpus_name.encode("utf-8", "replace").decode("utf-8")
    name = name if len(name) <= NAME_SHOWN else name[: NAME_SHOWN - 1] + "…"
    _, E, H = model.params.sizes
    tag = f"“{md_literal(name)}” · {model.level} level · H = {H} · E = {E}"
    return tag + f" · {model.steps_trained:,} steps trained" * trained


def stop_run() -> None:
    """The Stop button's callback."""
    if keys.LIVE in ss:
        ss[keys.LIVE].stop()


@st.fragment(run_every=LIVE_EVERY)
def live_run() -> None:
    """The run while it trains: Stop, progress, the live loss curves and samples. Only this
    fragment reruns; once the run has ended it installs the result and reruns the app."""
    job = ss.get(keys.LIVE)
    if job is None:
        return
    if job.outcome is not None:
        install(job.outcome)
        st.rerun()
    progress = job.progress()
    st.markdown(f"**Training a new model:** {ss.get(keys.LIVE_TAG, '')}. When the run ends it becomes your "
                "current model; until then every other view, here and on the other pages, shows the current one.")
    st.button("■ Stop (keep what was learned)", key=keys.STOP, on_click=stop_run, disabled=job.stopping)
    if progress.state == "waiting":
        st.info(f"Waiting for a free training slot: this server trains {worker.MAX_RUNNING} models at once; yours "
                f"is number {progress.ahead} in line and starts when a run ends.")
        return
    speed = f" · {progress.tokens_per_s:,.0f} tokens/s" if progress.step else ""
    last = f" · loss {progress.losses[-1]:.4f}" if progress.step else ""
    status = "stopping…" if job.stopping else f"step {progress.step:,} / {progress.total:,}{last}{speed}"
    st.progress(min(progress.step / max(progress.total, 1), 1.0), text=status)
    span = train_view.live_span(progress.step, progress.total)
    plotly_chart(train_view.loss_figure(progress.losses, progress.smoothed, progress.validation, span,
                                        points=LIVE_POINTS,
                                log=log_axis_toggle()), key="train_live_loss")
    show_samples(progress.samples)


def log_axis_toggle() -> bool:
    """The loss charts' log-axis switch (the live chart's or the finished one's: one is drawn at a time)."""
    return st.toggle("Loss on a log scale", key=keys.LOG_AXIS,
                     help="A long run's loss falls by orders of magnitude: on a log axis every part of it shows.")


def show_samples(samples) -> None:
    """The latest live samples, one line each: the step, then the greedy text from the first word."""
    if samples:
        st.caption("Greedy text from the first word, sampled while training (the latest last):")
        st.code("\n".join(f"step {s.step:>7,}: {s.text}" for s in samples[-SAMPLES_SHOWN:]), language=None,
                wrap_lines=True)


def install(outcome: worker.Outcome) -> None:
    """End a run: make its model the visitor's (unless it diverged or failed) and say how it went."""
    ss.pop(keys.LIVE, None)
    if outcome.model is None:
        kind = "info" if outcome.status == "stopped" else "error"
        ss[keys.NOTICE] = (kind, f"Training {outcome.status}: {md_literal(outcome.message)}")
        return
    record = RunRecord(outcome.status, outcome.model, outcome.smoothed, outcome.samples, outcome.validation, None)
    if outcome.status == "diverged":
        ss[keys.NOTICE] = ("warning", f"{md_literal(outcome.message)} Your previous model is still the current one.")
    else:
        set_model(outcome.model)
        record = replace(record, version=model_version())
        steps = outcome.model.steps_trained
        said = outcome.message.rstrip(".")
        done = f"Trained {steps} steps" if outcome.status == "done" else md_literal(said[:1].upper() + said[1:])
        ss[keys.NOTICE] = ("success", f"{done}. The new model is now the current one (see the sidebar).")
    ss[keys.RUN] = record


def adopt_diverged() -> None:
    """The user chose the last finite weights of a run that diverged."""
    record = ss[keys.RUN]
    set_model(record.model)
    ss[keys.RUN] = replace(record, version=model_version())
    ss[keys.NOTICE] = ("info", f"Using the last finite weights ({record.model.steps_trained} steps trained).")


def finish_interrupted() -> None:
    """A run the visitor left behind by opening another page: stop it and install what it learned,
    so the page they opened (and its sidebar) already shows it. Called by app.py for every page
    but Train, where the run goes on."""
    job = ss.get(keys.LIVE)
    if job is None:
        return
    job.stop()
    if job.wait(LEAVE_WAIT):
        install(job.outcome)


def diverged_record() -> RunRecord | None:
    """The last run, if it diverged and its weights were not adopted."""
    record = ss.get(keys.RUN)
    return record if record is not None and record.status == "diverged" and record.version is None else None


def curves(model: rc.Model) -> tuple[np.ndarray, np.ndarray, tuple[rc.training.ValidationLoss, ...]] | None:
    """(losses, smoothed, validation) of the current model's training, or None without a history:
    from its run when this session trained it, else smoothed here once per model version."""
    if model.history is None or not len(model.history.losses):
        return None
    record, version = ss.get(keys.RUN), model_version()
    if record is not None and record.version == version and len(record.smoothed) == len(model.history.losses):
        return model.history.losses, record.smoothed, record.validation
    cached = ss.get(keys.CURVE)
    if cached is None or cached[0] != version:
        cached = ss[keys.CURVE] = (version, rc.training.ema(model.history.losses))
    return model.history.losses, cached[1], ()


def last_samples(model: rc.Model) -> tuple[rc.training.LiveSample, ...]:
    """The live samples of the run that made the current model (none for a model from elsewhere)."""
    record = ss.get(keys.RUN)
    return record.samples if record is not None and record.version == model_version() else ()


def read_model_upload() -> None:
    """Load an uploaded .npz; anything the loader refuses leaves the current model as it was."""
    f = ss.get(keys.NPZ_FILE)
    if f is None:
        return
    try:
        model = rc.from_bytes(f.getvalue())
    except rc.RnnCoreError as e:
        ss[keys.FILE_NOTICE] = ("error", (f"Could not load **{md_literal(f.name)}**: {md_literal(e)} "
                                       "Your current model is unchanged."))
        return
    set_model(model)
    ss[keys.FILE_NOTICE] = ("success", (f"Loaded **{md_literal(f.name)}**: {md_literal(model.corpus_name)}, "
                                     f"{model.steps_trained} steps trained."))


def show_notice(notice: tuple[str, str] | None) -> None:
    """A (kind, Markdown) notice as st.success / info / warning / error."""
    if notice is not None:
        getattr(st, notice[0])(notice[1])
