"""Training speed with the history recorder on (snapshots, live samples, validation loss, the
smoothed curve) against plain ``train`` (a benchmark, not a test).

Both sides train the same model on the same text (the part ``split_corpus`` keeps for
training), so they do the same updates; the recorder's side is the whole ``record_training``
call: the split, the sample of the untrained model, every sample, validation and snapshot, and
attaching the history. Sides alternate and the best of ``--repeats`` timings is kept, so a burst
of load on the machine hits both. Prints steps/s of each whole call and their ratio, and the
ratio of the tokens/s that ``train`` itself reports (training speed with the callback's work).

    .venv/bin/python benchmarks/history_overhead.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rnn_core as rc  # noqa: E402
from rnn_core.bench import limit_numpy_threads, synthetic_text  # noqa: E402
from rnn_core.corpora import BUILTINS, builtin_corpus  # noqa: E402
from rnn_core.history import record_training, split_corpus  # noqa: E402


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


def timed(run, n: int) -> tuple[float, float]:
    """(seconds per call, the best tokens/s ``train`` reported) over n calls of ``run``."""
    start, best = time.perf_counter(), 0.0
    for _ in range(n):
        best = max(best, run()[1].tokens_per_s)
    return (time.perf_counter() - start) / n, best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="best of N timings per side")
    args = parser.parse_args(argv)
    print(limit_numpy_threads())
    print("whole call: steps/s of the whole train() / record_training() call (the recorder's set-up, "
          "its sample of the untrained model and attaching the history included)")
    print("in train: tokens/s as train() reports them (the per-step callback's cost included)")
    print(f"{'case':52} {'whole call: plain':>17} {'recorded':>9} {'ratio':>6}   {'in train: ratio':>15}  recorded per run")
    for case in cases():
        train_part = split_corpus(case.corpus).train
        plain = lambda: rc.train(case.model, train_part, case.config)  # noqa: E731
        recorded = lambda: record_training(case.model, case.corpus, case.config)  # noqa: E731
        plain(), recorded()  # warm-up
        t_plain = t_recorded = float("inf")
        tok_plain = tok_recorded = 0.0
        for _ in range(args.repeats):
            t, tok = timed(plain, case.runs)
            t_plain, tok_plain = min(t_plain, t), max(tok_plain, tok)
            t, tok = timed(recorded, case.runs)
            t_recorded, tok_recorded = min(t_recorded, t), max(tok_recorded, tok)
        model, _, rec = recorded()
        what = (f"{len(rec.samples)} samples, {len(rec.validation)} validations, "
                f"{len(model.history.steps)} snapshots")
        steps = case.config.steps
        print(f"{case.name:52} {steps / t_plain:17,.0f} {steps / t_recorded:9,.0f} {t_plain / t_recorded:6.3f}   "
              f"{tok_recorded / tok_plain:15.3f}  {what}", flush=True)


if __name__ == "__main__":
    main()
