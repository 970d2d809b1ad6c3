"""Bytes one generated step keeps in memory, per rule, for a model with a large vocabulary.

Builds an untrained word model with V tokens (default 20,000, the vocabulary limit), generates
a path of 20 tokens under several rules and counts what the path holds: every Python object
and array buffer reachable from the traces, each counted once, leaving out what the model
already owns (its weights, its token strings). Deterministic: a count, not a timing.

    .venv/bin/python benchmarks/trace_bytes.py [--vocab 20000]

The script imports whichever ``rnn_core`` is first on sys.path, so the same command measures an
older checkout: ``PYTHONPATH=/path/to/old/checkout .venv/bin/python benchmarks/trace_bytes.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import numpy as np

sys.path.append(str(Path(__file__).resolve().parents[1]))  # after PYTHONPATH: an old checkout wins
import rnn_core as rc  # noqa: E402

STEPS = 20
SMALL_INTS = range(-5, 257)  # CPython shares these: a tuple of them costs only its pointers


def reachable_bytes(obj, seen: set[int]) -> int:
    """sys.getsizeof of ``obj`` and of everything it holds, each object once (ids in ``seen``).
    Iterative, so a deep structure (a tree of continuations 500 tokens deep) needs no deep stack."""
    size, stack = 0, [obj]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or (isinstance(obj, int) and not isinstance(obj, bool) and obj in SMALL_INTS):
            continue
        seen.add(id(obj))
        size += sys.getsizeof(obj)  # an array that owns its buffer includes it; a view does not
        if isinstance(obj, np.ndarray) and obj.base is not None:
            stack.append(obj.base)
        elif isinstance(obj, (tuple, list, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif dataclasses.is_dataclass(obj):
            stack.extend(vars(obj).values())
    return size


def model_objects(model: rc.Model) -> set[int]:
    """Ids of what the model owns: traces point into it, but it is not theirs."""
    arrays = list(model.params.as_dict().values())
    return {id(a) for a in arrays} | {id(t) for t in model.vocab.tokens}


def bytes_per_step(model: rc.Model, path: list) -> float:
    seen = model_objects(model)
    return sum(reachable_bytes(step, seen) for step in path) / len(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=20_000, help="V, tokens in the vocabulary (</s> included)")
    args = parser.parse_args()
    words = " ".join(f"w{i}" for i in range(args.vocab - 1))
    model = rc.new_model(rc.make_corpus(words, "word"), rc.TrainConfig(hidden_size=16, embed_dim=16))
    never_stop = model.vocab.id(rc.EOS)
    model.params.b_y[never_stop] = -1e3  # every path runs to the length limit: STEPS steps each
    V = len(model.vocab)
    rules = {"greedy": rc.GREEDY, "sample T=1": rc.Rule("sample"), "sample T=0.7": rc.Rule("sample", 0.7),
             "top-k 50": rc.Rule("sample", top_k=50), "top-p 0.9": rc.Rule("sample", top_p=0.9)}
    print(f"V = {V:,}, H = 16, {STEPS} generated tokens per path; bytes kept per step (and per V)")
    for label, rule in rules.items():
        path = rc.generate(model, "w0", rule, max_tokens=STEPS, seed=0)
        b = bytes_per_step(model, path)
        print(f"  {label:<14} traces    {b:>12,.0f} B/step  {b / V:6.1f} V")
        if hasattr(rc, "generate_summary"):
            summary = rc.decoding.generate_summary(model, "w0", rule, max_tokens=STEPS, seed=0)
            assert [s.token for s in summary] == [tr.token for tr in path]
            b = bytes_per_step(model, summary)
            print(f"  {label:<14} summaries {b:>12,.0f} B/step  {b / V:6.3f} V")


if __name__ == "__main__":
    main()
