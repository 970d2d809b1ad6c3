"""The training memory estimate against the measured peak RSS of the worker that trains (a
benchmark, not a test).

For each config, the Train page's way: a ``ui.train.worker`` process (``python -m
ui.train.worker``) gets the pickled request on its stdin, trains (recording its history, holding
text out for validation), sends its updates and outcome, and says its peak RSS as it exits.
Prints ``rnn_core.gradients_estimate`` (its parts, and the total the Train page shows and the
budget is checked against) beside the worker's VmHWM, and their ratio. The estimate is meant to
be within 10% (``footprint.MARGIN``).

    .venv/bin/python benchmarks/train_memory.py [--steps 20]
"""

from __future__ import annotations

import argparse
import pickle
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from memory_use import synthetic_text  # noqa: E402

import rnn_core as rc  # noqa: E402
from ui.train import worker  # noqa: E402

MB = 2**20


def configs(steps: int) -> list[tuple[str, rc.Corpus, rc.TrainConfig]]:
    """(name, corpus, settings): the seed, char corpora, and word corpora with large vocabularies
    up to one close to the 512 MiB budget."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    words = {V: rc.make_corpus(synthetic_text(V, 4 * V), "word", f"V={V}") for V in (2_000, 20_000)}
    return [
        ("seed", rc.seed_corpus(), rc.seed_config(steps=steps)),
        ("char README, H=64 B=32 T=32", rc.make_corpus(text, "char"),
         rc.TrainConfig(hidden_size=64, embed_dim=64, batch_size=32, seq_len=32, steps=steps)),
        ("char README, H=256 B=64 T=128 float64", rc.make_corpus(text, "char"),
         rc.TrainConfig(hidden_size=256, embed_dim=128, batch_size=64, seq_len=128, steps=steps, dtype="float64")),
        ("word V=2,000, H=64 B=16 T=32", words[2_000],
         rc.TrainConfig(hidden_size=64, embed_dim=64, steps=steps)),
        ("word V=20,000, H=64 B=16 T=32", words[20_000],
         rc.TrainConfig(hidden_size=64, embed_dim=64, steps=steps)),
        ("word V=20,000, H=128 B=32 T=40 (sgd)", words[20_000],
         rc.TrainConfig(hidden_size=128, embed_dim=128, batch_size=32, seq_len=40, steps=steps, optimizer="sgd")),
        ("word V=20,000, H=256 B=20 T=40", words[20_000],
         rc.TrainConfig(hidden_size=256, embed_dim=128, batch_size=20, seq_len=40, steps=steps)),
    ]


# The worker program itself, but saying its peak RSS (VmHWM: since its exec, unlike ru_maxrss,
# which can report the parent's RSS at the fork) on stderr as it exits.
WORKER = ("import atexit, runpy, sys\n"
          "def peak():\n"
          "    print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0], file=sys.stderr)\n"
          "atexit.register(peak)\n"
          "runpy.run_module('ui.train.worker', run_name='__main__')\n")


def worker_peak(request: worker.Request) -> tuple[float, str]:
    """(peak RSS in MB of a worker training ``request``, the outcome's status)."""
    proc = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=worker.WORKER_ENV, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    worker.send(proc.stdin, request)  # its stdin stays open: closing it asks the worker to stop
    outcome = None
    while not isinstance(outcome, worker.Outcome):
        outcome = pickle.load(proc.stdout)
    proc.stdin.close()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait()
    return int(err.split()[-1]) / 1024, f"{outcome.status} {outcome.message}"[:60]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="training steps of each run")
    args = parser.parse_args()
    print(f"{'config':<40}{'V':>7}{'dtype':>9}{'step':>8}{'weights':>9}{'data':>8}{'process':>9}"
          f"{'estimate':>10}{'measured':>10}{'ratio':>7}   (MB)")
    for name, corpus, config in configs(args.steps):
        start = rc.training.start_model(corpus, config)
        need = rc.training.memory_estimate(corpus, config)
        peak, status = worker_peak(worker.Request(start, corpus, config))
        print(f"{name:<40}{len(start.vocab):>7,}{need.dtype:>9}{need.step / MB:>8.1f}{need.weights / MB:>9.1f}"
              f"{need.data / MB:>8.1f}{need.process / MB:>9.1f}{need.total / MB:>10.1f}{peak:>10.1f}"
              f"{need.total / MB / peak:>7.2f}" + ("" if status.startswith("done") else f"   {status}"))


if __name__ == "__main__":
    main()
