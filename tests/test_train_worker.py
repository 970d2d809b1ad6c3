"""Training in a worker process: the same model as training in the server, live updates, Stop
keeps what was learned, the line of waiting runs, and a worker that dies or is abandoned."""

from __future__ import annotations

import gc
import os
import time

import numpy as np
import pytest

import rnn_core as rc
from ui.train import worker

COUNTING = "known answer: counting a ab abc (char level)"
NAMES = ("embedding", "W_x", "W_h", "b_h", "W_y", "b_y")


def same_params(a: rc.Params, b: rc.Params) -> bool:
    return all(np.array_equal(getattr(a, n), getattr(b, n)) for n in NAMES)


def job_for(corpus: rc.Corpus, config: rc.TrainConfig) -> worker.Job:
    return worker.Job(worker.Request(rc.training.start_model(corpus, config), corpus, config))


def long_job() -> worker.Job:
    """A run far longer than any test waits for: every test stops it."""
    corpus = rc.training.builtin_corpus(COUNTING)
    return job_for(corpus, rc.TrainConfig(steps=rc.training.SETTING["steps"].high, hidden_size=16))


def wait_until(condition, what: str, timeout: float = 60) -> None:
    """Poll ``condition`` until it holds; a guard against hanging, not a measure of speed."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.02)


def finished(job: worker.Job) -> worker.Outcome:
    assert job.wait(120), "the run did not end"
    return job.outcome


def test_a_run_in_a_worker_gives_the_model_training_here_gives():
    corpus, config = rc.seed_corpus(), rc.seed_config()
    outcome = finished(job_for(corpus, config))
    here, report, recorder = rc.training.record_training(rc.training.start_model(corpus, config), corpus, config)
    assert outcome.status == "done" and outcome.message == report.message
    model = outcome.model
    assert model.steps_trained == 60 and same_params(model.params, here.params)
    assert np.array_equal(model.history.losses, here.history.losses)
    assert np.array_equal(outcome.smoothed, recorder.smoothed)
    assert outcome.samples == tuple(recorder.samples) and outcome.samples[-1].text == "I love deep learning </s>"


def test_updates_stream_while_training_and_stop_keeps_what_was_learned():
    job = long_job()
    wait_until(lambda: job.progress().step > 0, "the first update")
    live = job.progress()
    assert live.state == "running" and live.total == rc.training.SETTING["steps"].high
    assert len(live.smoothed) == live.step and live.samples[0].step == 0 and live.tokens_per_s > 0
    job.stop()
    outcome = finished(job)
    model = outcome.model
    assert outcome.status == "stopped" and f"stopped at step {model.steps_trained}" in outcome.message
    assert model.steps_trained >= live.step
    assert np.array_equal(model.history.losses[: live.step], live.losses)  # what was streamed, unchanged
    corpus = rc.training.builtin_corpus(COUNTING)
    shorter = rc.TrainConfig(steps=model.steps_trained, hidden_size=16)
    here = rc.train(rc.training.start_model(corpus, shorter), corpus, shorter)[0]
    assert same_params(model.params, here.params)  # the weights of exactly the steps it made


def test_a_run_the_core_refuses_ends_with_the_cores_message():
    corpus = rc.make_corpus(" ".join(f"w{i}" for i in range(15_000)), "word")
    config = rc.TrainConfig(seq_len=4096, hidden_size=8, embed_dim=8, dtype="float64")
    with pytest.raises(rc.ConfigError) as refused:
        rc.training.check_training_memory(corpus, config)
    outcome = finished(job_for(corpus, config))
    assert outcome.status == "error" and outcome.message == str(refused.value) and outcome.model is None


def test_runs_past_the_limit_wait_in_line_and_a_stopped_one_leaves_it(monkeypatch):
    monkeypatch.setattr(worker, "MAX_RUNNING", 1)
    first, second = long_job(), long_job()
    third = job_for(rc.seed_corpus(), rc.seed_config())
    assert [j.progress().state for j in (first, second, third)] == ["running", "waiting", "waiting"]
    assert (second.progress().ahead, third.progress().ahead) == (1, 2)
    second.stop()
    assert finished(second).status == "stopped" and second.outcome.model is None
    assert third.progress().ahead == 1
    first.stop()
    assert finished(first).status == "stopped"
    assert finished(third).status == "done" and third.outcome.model.steps_trained == 60


def test_a_worker_that_dies_ends_its_run_as_failed_with_the_reason():
    job = long_job()
    wait_until(lambda: job.progress().step > 0, "the first update")
    job._run.proc.kill()
    outcome = finished(job)
    assert outcome.status == "failed" and "exit status -9, out of memory?" in outcome.message
    assert outcome.model is None


def test_dropping_a_job_stops_its_worker():
    """A session that ends drops its Job: the worker stops instead of training for nobody."""
    proc = worker_of_a_dropped_job()
    gc.collect()
    assert proc.wait(timeout=60) == 0


def worker_of_a_dropped_job():
    """The process of a job that trained a little, then was forgotten (its last reference ends here)."""
    job = long_job()
    wait_until(lambda: job.progress().step > 0, "the first update")
    return job._run.proc


def test_workers_run_at_a_lower_priority_than_the_server():
    job = long_job()
    wait_until(lambda: job.progress().step > 0, "the first update")
    try:
        niceness = os.getpriority(os.PRIO_PROCESS, job._run.proc.pid)
        assert niceness == min(19, os.getpriority(os.PRIO_PROCESS, 0) + worker.NICE)
    finally:
        job.stop()
        finished(job)


def is_defunct(pid: int) -> bool:
    """Whether ``pid`` is a zombie: ended, not yet reaped by its parent."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return False


def test_an_idle_spare_worker_killed_from_outside_is_reaped_at_once():
    """Nothing asks the service for a worker meanwhile: the reaping is not a side effect of the next run."""
    worker.warm()
    spare = worker.SERVICE.spare
    os.kill(spare.pid, 9)
    wait_until(lambda: spare.returncode is not None and not is_defunct(spare.pid), "the killed spare to be reaped")
    assert spare.returncode == -9 and worker.SERVICE.spare is spare
    worker.warm()  # the next use starts a new spare
    assert worker.SERVICE.spare is not spare and worker.SERVICE.spare.poll() is None
