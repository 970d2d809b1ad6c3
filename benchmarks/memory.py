"""Time of rnn_core's memory views on random char models (a benchmark, not a test).

    .venv/bin/python benchmarks/memory.py [--repeats 3]

Prints the median time of ``influence`` (one backward sweep over all T predictions, cost ~T^2 H^2)
for several sequence lengths T and hidden sizes H, and of ``unit_activity`` over a long text.
"""

from __future__ import annotations

import argparse
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import rnn_core as rc  # noqa: E402

TEXT = (string.ascii_lowercase + " \n") * 1000


def char_model(H: int) -> rc.Model:
    corpus = rc.make_corpus(string.ascii_lowercase + " \n", "char")
    return rc.new_model(corpus, rc.TrainConfig(hidden_size=H, embed_dim=16, seed=0))


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'H':>5} {'T':>6} {'influence x (ms)':>17} {'influence h (ms)':>17}")
    for H in (16, 64, 128):
        model = char_model(H)
        for T in (50, 200, 500, 1000):
            text = TEXT[: T + 1]
            x = median_ms(lambda: rc.analysis.influence(model, text, wrt="x"), args.repeats)
            h = median_ms(lambda: rc.analysis.influence(model, text, wrt="h"), args.repeats)
            print(f"{H:>5} {T:>6} {x:>17.1f} {h:>17.1f}")
    for H in (16, 128):
        model = char_model(H)
        ms = median_ms(lambda: rc.analysis.unit_activity(model, TEXT[:20_000]), args.repeats)
        print(f"unit_activity, H = {H}, 20,000 characters: {ms:.1f} ms")


if __name__ == "__main__":
    main()
