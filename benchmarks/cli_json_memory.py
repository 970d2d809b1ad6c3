"""Peak memory of the CLI's ``generate --json`` on a large vocabulary (a benchmark, not a test).

Writes a synthetic untrained word model with V tokens (default 20,000, the vocabulary
limit; ``</s>`` made unlikely so every run goes to --max-tokens), then runs, each in its own
process so its peak RSS is its own:

- ``generate --json`` (sampling) at 500 tokens: the document streams one step at a time, so
  the peak should not grow with the output (goal: under 300 MB at V = 20,000);
- the same at 50 tokens, to show the peak does not depend on the length;
- ``generate --strategy beam --beam-width 10 --json`` at 500 tokens (and 50).

Prints each run's peak RSS, bytes of output (read and counted, not kept) and seconds.

    .venv/bin/python benchmarks/cli_json_memory.py [--vocab 20000] [--tokens 500]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import rnn_core as rc  # noqa: E402


def big_model(V: int) -> rc.Model:
    words = " ".join(f"w{i}" for i in range(V - 1))
    model = rc.new_model(rc.make_corpus(words, "word"), rc.TrainConfig(hidden_size=16, embed_dim=16))
    model.params.b_y[model.vocab.id(rc.EOS)] = -1e3  # no run stops early
    return model


def run(args: list[str], cwd: str) -> tuple[float, int, float]:
    """(peak RSS in MB of the child, bytes it wrote to stdout, seconds)."""
    # VmHWM: the peak since the exec (ru_maxrss may report the parent's RSS at the fork)
    wrapper = ("import runpy, sys; sys.argv = ['rnn_core'] + sys.argv[1:]\n"
               "try:\n    runpy.run_module('rnn_core', run_name='__main__')\n"
               "finally:\n    print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0],"
               " file=sys.stderr)\n")
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", wrapper, *args], cwd=cwd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    n = 0
    while chunk := p.stdout.read(1 << 20):
        n += len(chunk)
    err = p.stderr.read().decode()
    p.wait()
    seconds = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{args}: exit {p.returncode}: {err[-500:]}")
    return int(err.split()[-1]) / 1024, n, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=20_000)
    parser.add_argument("--tokens", type=int, default=rc.limits.MAX_TOKENS.high)
    parser.add_argument("--beam-width", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as d:
        model = big_model(args.vocab)
        rc.save(model, os.path.join(d, "big.npz"))
        print(f"V = {len(model.vocab):,}, H = E = 16, {model.params.W_y.dtype}; peak RSS of each CLI process")
        print(f"  {'command':<58}{'peak MB':>9}{'output MB':>11}{'seconds':>9}")
        short = max(1, args.tokens // 10)
        cases = [(f"generate --json, {n} tokens", ["--strategy", "sample", "--max-tokens", str(n), "--json"])
                 for n in (short, args.tokens)]
        cases += [(f"generate --strategy beam --beam-width {args.beam_width} --json, {n} tokens",
                   ["--strategy", "beam", "--beam-width", str(args.beam_width), "--max-tokens", str(n), "--json"])
                  for n in (short, args.tokens)]
        for name, extra in cases:
            peak, n, seconds = run(["generate", "big.npz", "--prompt", "w0", *extra], d)
            print(f"  {name:<58}{peak:>9.0f}{n / 1e6:>11.1f}{seconds:>9.1f}")


if __name__ == "__main__":
    main()
