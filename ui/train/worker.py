"""Training in a worker process, so that a long run in one session never freezes the others.

For the small models of a class, training spends most of its time in Python between small numpy
calls, holding the GIL; every session of a Streamlit server shares that GIL, so a run in the
session's script thread slowed every other visitor's page. Here each run is a separate program
(``python -m ui.train.worker``) at a lower CPU priority than the server:

- the server sends it a ``Request`` (pickled, on its stdin) and it trains with ``rc.training.record_training``;
- every PROGRESS_EVERY seconds it sends an ``Update`` (the new losses, smoothed losses, live samples
  and validation losses) on its stdout, and at the end one ``Outcome`` (the trained model and its
  record, or the error);
- the server asks it to stop by closing its stdin: the run ends after the current step and keeps
  what it learned. A server that dies closes the pipe too, so no run outlives it.

On the server side a thread per run reads the pipe into the run's ``Progress``; a page only looks
(``Job.progress``, ``Job.outcome``). At most MAX_RUNNING runs train at once; later ones wait in
line, in the order they were asked for. One idle worker is kept started (numpy and rnn_core
imported), so a run starts without waiting for Python to start; a thread waits on it, so that
if it dies while idle it is reaped at once, not left defunct.

No Streamlit here: the worker program imports this module.
"""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import rnn_core as rc

REPO = Path(__file__).resolve().parents[2]  # ``python -m ui.train.worker`` runs from here
PROGRESS_EVERY = 0.25  # seconds between two updates from a worker
STOP_CHECK_EVERY = 0.05  # seconds between two looks at the stop signal (a select() call)
NICE = 10  # workers yield the CPU to the server's sessions
MAX_RUNNING = max(2, os.cpu_count() or 2)  # runs training at once on this server; more wait
# One thread per worker: a run's matrices are small, the server's cores are shared by the whole
# class, and a BLAS thread started before os.nice would keep the server's priority (Linux sets
# the nice value per thread).
WORKER_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass(frozen=True)
class Request:
    """What to train: the untrained (or earlier) model, the corpus, and the settings."""

    start: rc.Model
    corpus: rc.Corpus
    config: rc.TrainConfig


@dataclass(frozen=True)
class Update:
    """What a worker learned since its last update."""

    step: int  # updates done so far in this run
    losses: np.ndarray  # (n,) the new steps' losses
    smoothed: np.ndarray  # (n,) and their smoothed values (``rc.training.ema``)
    samples: tuple[rc.training.LiveSample, ...]  # new live samples
    validation: tuple[rc.training.ValidationLoss, ...]  # new validation losses
    tokens_per_s: float


@dataclass(frozen=True)
class Outcome:
    """How a run ended. status: done | stopped | diverged (``model`` is what it learned, None if
    not one update was made) | error (``message`` says what to change) | failed (the worker
    ended without saying why)."""

    status: str
    message: str
    model: rc.Model | None = None
    smoothed: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (steps,) as the model's losses
    samples: tuple[rc.training.LiveSample, ...] = ()
    validation: tuple[rc.training.ValidationLoss, ...] = ()


@dataclass(frozen=True)
class Progress:
    """A run as far as it got: everything its updates said, joined."""

    state: str  # waiting | running | finished
    total: int  # updates asked for
    losses: np.ndarray  # (step,)
    smoothed: np.ndarray  # (step,)
    samples: tuple[rc.training.LiveSample, ...]
    validation: tuple[rc.training.ValidationLoss, ...]
    tokens_per_s: float
    ahead: int  # runs waiting before this one (0 when not waiting)

    @property
    def step(self) -> int:
        return len(self.losses)


# ---------------------------------------------------------------- the worker program


class Reporter:
    """The worker's side of a run: ``record_training``'s callbacks. Sends an ``Update`` every
    PROGRESS_EVERY seconds and says stop (False) once the server closed the worker's stdin."""

    def __init__(self, out, stop_fd: int):
        self.out, self.stop_fd = out, stop_fd
        self.recorder: rc.training.Recorder | None = None
        self.sent = {"losses": 0, "samples": 0, "validation": 0}
        self.last_check = self.last_send = time.perf_counter()

    def attach(self, recorder: rc.training.Recorder) -> None:
        self.recorder = recorder

    def on_step(self, info: rc.training.StepInfo) -> bool | None:
        now = time.perf_counter()
        if now - self.last_check >= STOP_CHECK_EVERY:
            self.last_check = now
            if select.select([self.stop_fd], [], [], 0)[0]:  # closed by the server: stop
                return False
        if now - self.last_send >= PROGRESS_EVERY:
            self.last_send = now
            try:
                send(self.out, self.update(info))
            except OSError:  # the server is gone
                return False
        return None

    def update(self, info: rc.training.StepInfo) -> Update:
        r, sent = self.recorder, self.sent
        new = Update(info.step, np.array(r.losses[sent["losses"]:]), np.array(r.smoothed[sent["losses"]:]),
                     tuple(r.samples[sent["samples"]:]), tuple(r.validation[sent["validation"]:]), info.tokens_per_s)
        sent.update(losses=len(r.losses), samples=len(r.samples), validation=len(r.validation))
        return new


def send(out, message) -> None:
    pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def train_request(request: Request, reporter: Reporter) -> Outcome:
    """Train as asked, holding text out for a validation loss when the corpus is long enough."""
    try:
        model, report, recorder = rc.training.record_training(request.start, request.corpus, request.config,
                                                     on_step=reporter.on_step, on_start=reporter.attach)
    except rc.RnnCoreError as e:
        return Outcome("error", str(e))
    except MemoryError:
        return Outcome("error", "training ran out of memory; lower the batch size or the sequence length, "
                                "or choose float32.")
    trained = model if report.losses else None
    return Outcome(report.status, report.message, trained, np.array(recorder.smoothed),
                   tuple(recorder.samples), tuple(recorder.validation))


def main() -> None:
    """The worker program: wait for one request on stdin, train, send updates and the outcome."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything else printed goes to stderr, not into the pipe
    try:
        request = pickle.load(sys.stdin.buffer)
    except EOFError:  # a spare worker the server never used
        return
    os.nice(NICE)
    outcome = train_request(request, Reporter(out, sys.stdin.fileno()))
    try:
        send(out, outcome)
    except OSError:  # the server is gone
        pass


# ---------------------------------------------------------------- the server's side


class _Run:
    """A run as the server tracks it, shared by the session's ``Job`` and the thread reading the
    worker's pipe (every field is read and written under ``lock``)."""

    def __init__(self, request: Request):
        self.request, self.lock, self.finished = request, threading.Lock(), threading.Event()
        self.state, self.proc, self.sent, self.stop_asked = "waiting", None, False, False
        self.losses: list[np.ndarray] = []
        self.smoothed: list[np.ndarray] = []
        self.samples: list[rc.training.LiveSample] = []
        self.validation: list[rc.training.ValidationLoss] = []
        self.tokens_per_s, self.outcome = 0.0, None

    def add(self, update: Update) -> None:
        with self.lock:
            self.losses.append(update.losses)
            self.smoothed.append(update.smoothed)
            self.samples += update.samples
            self.validation += update.validation
            self.tokens_per_s = update.tokens_per_s

    def finish(self, outcome: Outcome) -> None:
        with self.lock:
            if self.outcome is None:
                self.outcome, self.state = outcome, "finished"
        self.finished.set()

    def stop(self) -> None:
        """Ask the run to end, keeping what it learned; a waiting run leaves the line."""
        with self.lock:
            self.stop_asked = True
            state, sent = self.state, self.sent
        if state == "waiting" and SERVICE.withdraw(self):
            self.finish(Outcome("stopped", "stopped before it started; your model is unchanged."))
        elif state == "running" and sent:
            close_quietly(self.proc.stdin)


def close_quietly(stream) -> None:
    try:
        stream.close()
    except OSError:  # the worker already ended
        pass


class _Service:
    """Starts workers, at most MAX_RUNNING at once, and keeps one spare started."""

    def __init__(self):
        self.lock = threading.Lock()
        self.running = 0
        self.waiting: deque[_Run] = deque()
        self.spare: subprocess.Popen | None = None

    def warm(self) -> None:
        """Have a started worker ready (called when the Train page opens)."""
        with self.lock:
            self._spare()

    def _spare(self) -> subprocess.Popen:
        if self.spare is None or self.spare.poll() is not None:
            self.spare = subprocess.Popen([sys.executable, "-m", "ui.train.worker"], cwd=REPO, env=WORKER_ENV,
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            # a worker that dies while idle (killed from outside, out of memory) is reaped at once
            # instead of staying defunct until the next run asks for a spare
            threading.Thread(target=self.spare.wait, daemon=True, name="train-worker-reaper").start()
        return self.spare

    def submit(self, run: _Run) -> None:
        with self.lock:
            if self.running < MAX_RUNNING:
                self._start(run)
            else:
                self.waiting.append(run)

    def withdraw(self, run: _Run) -> bool:
        with self.lock:
            if run in self.waiting:
                self.waiting.remove(run)
                return True
            return False

    def ahead(self, run: _Run) -> int:
        with self.lock:
            return self.waiting.index(run) + 1 if run in self.waiting else 0

    def _start(self, run: _Run) -> None:
        """Hand ``run`` to the spare worker (lock held) and start a new spare."""
        proc, self.spare = self._spare(), None
        self._spare()
        self.running += 1
        with run.lock:
            run.state, run.proc = "running", proc
        threading.Thread(target=self._serve, args=(run,), daemon=True, name="train-worker").start()

    def _serve(self, run: _Run) -> None:
        """Send the request and read updates until the outcome; then free the slot for the next
        waiting run before saying the run ended, so an ended run has let go of everything."""
        outcome = None
        try:
            send(run.proc.stdin, run.request)
            with run.lock:
                run.sent = True
                if run.stop_asked:
                    close_quietly(run.proc.stdin)
            while outcome is None:
                message = pickle.load(run.proc.stdout)
                if isinstance(message, Outcome):
                    outcome = message
                else:
                    run.add(message)
        except (EOFError, OSError, pickle.UnpicklingError):
            pass
        finally:
            close_quietly(run.proc.stdin)
            code = run.proc.wait()
            self._next()
            run.finish(outcome or Outcome("failed", f"the training process ended unexpectedly (exit status "
                                                    f"{code}{', out of memory?' if code == -9 else ''}); "
                                                    "your model is unchanged."))

    def _next(self) -> None:
        with self.lock:
            self.running -= 1
            if self.waiting:
                self._start(self.waiting.popleft())


SERVICE = _Service()


class Job:
    """A training run as a session holds it. Dropping the last reference to a Job (the session
    ended) stops its run."""

    def __init__(self, request: Request):
        self._run = _Run(request)
        weakref.finalize(self, self._run.stop)
        SERVICE.submit(self._run)

    @property
    def total(self) -> int:
        return self._run.request.config.steps

    def progress(self) -> Progress:
        r = self._run
        with r.lock:
            losses, smoothed = join(r.losses), join(r.smoothed)
            state, samples, validation, speed = r.state, tuple(r.samples), tuple(r.validation), r.tokens_per_s
        ahead = SERVICE.ahead(r) if state == "waiting" else 0
        return Progress(state, self.total, losses, smoothed, samples, validation, speed, ahead)

    def stop(self) -> None:
        self._run.stop()

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the run to end; True if it has."""
        return self._run.finished.wait(timeout)

    @property
    def outcome(self) -> Outcome | None:
        with self._run.lock:
            return self._run.outcome

    @property
    def stopping(self) -> bool:
        with self._run.lock:
            return self._run.stop_asked


def join(chunks: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(chunks) if chunks else np.zeros(0)


def warm() -> None:
    SERVICE.warm()


if __name__ == "__main__":  # run as ``python -m ui.train.worker``: pickle by the module's real name
    from ui.train.worker import main as worker_main

    worker_main()
