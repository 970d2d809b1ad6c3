"""Time of the sampling-lab computations (a benchmark, not a test): beam search, N draws at one
step with their chi-square test, and the tree of N sampled continuations, on built-in corpora
trained with their suggested settings. Prints the median of ``--repeats`` runs of each.

    .venv/bin/python benchmarks/decoding.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rnn_core as rc  # noqa: E402
from rnn_core.corpora import BUILTINS, builtin_corpus  # noqa: E402


def trained(name: str) -> rc.Model:
    b = BUILTINS[name]
    config = rc.TrainConfig(hidden_size=b.hidden_size, steps=b.steps)
    corpus = builtin_corpus(name)
    return rc.train(rc.new_model(corpus, config), corpus, config)[0]


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    n = parser.parse_args().repeats
    words, chars = trained("shared words"), trained("alphabet (char level)")
    q = rc.generate(words, "I", rc.Rule("sample"), max_tokens=1)[-1].q
    Vw, Vc = len(words.vocab), len(chars.vocab)
    cases = [
        (f"beam width 3, word V={Vw}, 20 tokens", lambda: rc.decoding.beam_search(words, "I", 3, max_tokens=20)),
        (f"beam width 10, word V={Vw}, 20 tokens", lambda: rc.decoding.beam_search(words, "I", 10, max_tokens=20)),
        (f"beam width 10, char V={Vc}, 50 tokens", lambda: rc.decoding.beam_search(chars, "a", 10, max_tokens=50)),
        (f"10,000 draws + chi-square, V={Vw}", lambda: rc.decoding.draw_counts(q, 10_000, seed=1)),
        ("tree of 200 samples, word, 20 tokens", lambda: rc.decoding.sample_tree(words, "I", rc.Rule("sample"), 200)),
        ("tree of 1,000 samples, char, 20 tokens",
         lambda: rc.decoding.sample_tree(chars, "a", rc.Rule("sample", temperature=1.5), 1000)),
    ]
    for label, fn in cases:
        print(f"{label:<42} {median_ms(fn, n):8.1f} ms")


if __name__ == "__main__":
    main()
