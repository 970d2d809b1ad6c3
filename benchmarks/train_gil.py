"""What a training run costs the other sessions of the same server process, without a browser.

    .venv/bin/python benchmarks/train_gil.py [--rounds 6] [--changes 12] [--trainers 1]

Times a change of Step-Through's walk with AppTest (a new random seed: the page's code, as the
server runs it when a student changes a setting; stepping itself happens in the browser and costs
the server nothing) in three conditions, alternating round by round so that the machine's load
drifts into all three alike:
- nothing training;
- K long char-level runs training in threads of this process, as the Train page trained before
  (each in its session's script thread, sharing the GIL with every other session);
- the same runs in worker processes (``ui.train.worker``, as the Train page trains now; at most
  ``MAX_RUNNING`` of them train at once, the others wait in line).
Prints the median and p95 of each. A benchmark, not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import rnn_core as rc  # noqa: E402
from ui.train import worker  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "app.py")
CORPUS = "known answer: counting a ab abc (char level)"


def walk_changes(at: AppTest, n: int) -> list[float]:
    """ms of n reruns that each change the walk (the next random seed)."""
    times = []
    for _ in range(n):
        seed = at.number_input(key="step_seed")
        t0 = time.perf_counter()
        seed.set_value(seed.value + 1).run()
        times.append(1000 * (time.perf_counter() - t0))
    return times


def run_inputs() -> tuple[rc.Model, rc.Corpus, rc.TrainConfig]:
    corpus = rc.training.builtin_corpus(CORPUS)
    config = rc.training.BUILTINS[CORPUS].config(steps=rc.training.SETTING["steps"].high)
    return rc.training.start_model(corpus, config), corpus, config


def in_threads(k: int):
    """Train k runs in threads of this process (the old way); returns a function that stops them."""
    stop = threading.Event()
    threads = [threading.Thread(target=rc.training.record_training, args=run_inputs(), daemon=True,
                                kwargs=dict(on_step=lambda info: not stop.is_set())) for _ in range(k)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    return lambda: (stop.set(), [thread.join() for thread in threads])


def in_workers(k: int):
    """Train k runs in worker processes (the new way); returns a function that stops them."""
    jobs = [worker.Job(worker.Request(*run_inputs())) for _ in range(k)]
    while jobs[0].progress().step == 0:
        time.sleep(0.05)
    return lambda: [(job.stop(), job.wait(60)) for job in jobs]


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (f"median {statistics.median(times):5.0f} ms, p95 {p95:5.0f} ms, max {ordered[-1]:5.0f} ms "
            f"({len(times)} changes)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--changes", type=int, default=12)
    ap.add_argument("--trainers", type=int, default=1)
    args = ap.parse_args()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/step-through.py").run()
    worker.warm()
    walk_changes(at, 4)  # warm up
    k = args.trainers
    starts = {"nothing training": lambda: (lambda: None), f"{k} training in threads (before)": lambda: in_threads(k),
              f"{k} training in workers (now)": lambda: in_workers(k)}
    results = {name: [] for name in starts}
    for _ in range(args.rounds):
        for name, start in starts.items():
            stop = start()
            results[name] += walk_changes(at, args.changes)
            stop()
    for name, times in results.items():
        print(f"Step-Through walk change, {name:<30} {summary(times)}")


if __name__ == "__main__":
    main()
