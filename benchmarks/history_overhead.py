"""Training speed with the history recorder on (snapshots, live samples, validation loss, the
smoothed curve) against plain ``train`` (a benchmark, not a test).

Both sides train the same model on the same text (the part ``split_corpus`` keeps for
training), so they do the same updates; the recorder's side is the whole ``record_training``
call: the split, the sample of the untrained model, every sample, validation and snapshot, and
attaching the history. Sides alternate and the best of ``--repeats`` timings is kept, so a burst
of load on the machine hits both. Prints steps/s of each whole call and their ratio (by the wall
clock and by CPU time), and the ratio of the tokens/s that ``train`` itself reports.

    .venv/bin/python benchmarks/history_overhead.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_speed import THREADS, limit_numpy_threads, synthetic_text  # noqa: E402

import rnn_core as rc  # noqa: E402
from rnn_core.corpora import BUILTINS, builtin_corpus  # noqa: E402
from rnn_core.recorder import record_training, split_corpus  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    model: rc.Model
    corpus: rc.Corpus
    config: rc.TrainConfig
    runs: int  # runs per timing, so that a timing lasts long enough to measure


def cases() -> list[Case]:
    """The seed preset, two built-ins with their suggested settings, and a larger char model."""
    seed = rc.seed_model()
    out = [Case("seed preset (word, V=5, H=3, 60 steps)", seed, rc.seed_corpus(), seed.config, 20)]
    for name, label in (("known answer: balanced brackets (char level)", "brackets (char, H=24, 600 steps)"),
                        ("known answer: a tiny grammar (word level)", "tiny grammar (word, H=16, 300 steps)")):
        corpus, config = builtin_corpus(name), BUILTINS[name].config()
        out.append(Case(label, rc.new_model(corpus, config), corpus, config, 2))
    text = rc.make_corpus(synthetic_text(20_000), "char", name="synthetic")
    config = rc.TrainConfig(hidden_size=64, embed_dim=32, steps=300, dtype="float32")
    out.append(Case("synthetic 20k chars (char, V=65, H=64, 300 steps)", rc.new_model(text, config), text, config, 1))
    return out


def timed(run, n: int) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds of this process) per call over n calls of ``run``, and the best
    tokens/s ``train`` reported."""
    wall, cpu, best = time.perf_counter(), time.process_time(), 0.0
    for _ in range(n):
        best = max(best, run()[1].tokens_per_s)
    return (time.perf_counter() - wall) / n, (time.process_time() - cpu) / n, best


def best_of(run, n: int, sides: list) -> None:
    """Fold one timing into ``sides`` = [wall, cpu, tokens/s]: least time, most tokens/s so far."""
    wall, cpu, tok = timed(run, n)
    sides[:] = [min(sides[0], wall), min(sides[1], cpu), max(sides[2], tok)]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="best of N timings per side")
    args = parser.parse_args(argv)
    print(limit_numpy_threads(THREADS))
    print("wall, cpu: steps/s of the whole train() / record_training() call, by the wall clock and by this "
          "process's CPU time (steadier when other programs share the cores); the recorder's set-up, its "
          "sample of the untrained model and attaching the history are included")
    print("in train: the tokens/s train() itself reports (the per-step callback's work included)")
    print(f"{'case':52} {'plain wall':>10} {'recorded':>9} {'ratio':>6} {'cpu ratio':>9} {'in train':>9}  "
          "recorded per run")
    for case in cases():
        train_part = split_corpus(case.corpus).train
        plain = lambda: rc.train(case.model, train_part, case.config)  # noqa: E731
        recorded = lambda: record_training(case.model, case.corpus, case.config)  # noqa: E731
        plain(), recorded()  # warm-up
        p, r = [math.inf, math.inf, 0.0], [math.inf, math.inf, 0.0]
        for _ in range(args.repeats):  # alternating, so a burst of load hits both sides
            best_of(plain, case.runs, p)
            best_of(recorded, case.runs, r)
        model, _, rec = recorded()
        what = (f"{len(rec.samples)} samples, {len(rec.validation)} validations, "
                f"{len(model.history.steps)} snapshots")
        steps = case.config.steps
        print(f"{case.name:52} {steps / p[0]:10,.0f} {steps / r[0]:9,.0f} {p[0] / r[0]:6.3f} {p[1] / r[1]:9.3f} "
              f"{r[2] / p[2]:9.3f}  {what}", flush=True)


if __name__ == "__main__":
    main()
