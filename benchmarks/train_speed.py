"""Training speed: rnn_core against torch.nn.RNN, in-process and through the CLI's defaults.

    .venv/bin/python benchmarks/train_speed.py [--repeats 3] [--only seed|small|medium] [--threads 2] [--no-cli]

Three configurations: the seed preset, and char-level models (V = 65) small and medium. For each,
tokens/s (targets predicted per second: forward, backward, clipping and Adam) of
  loop   rnn_core.train in this process, on the model the CLI builds (precision 'auto');
  cli    ``python -m rnn_core train`` with the case's options and every other setting at its
         default: the time of --steps N minus that of --steps 0, so start-up, reading the corpus
         and writing the model cancel out;
  torch  the same weights and batches in torch.nn.RNN, float32, fused Adam, the same clipping;
and the ratios to torch. Both sides use --threads threads; runs alternate, best of --repeats.
A benchmark, not a test: nothing here asserts a time. PyTorch and threadpoolctl are optional
(``pip install torch==2.13.0 threadpoolctl``); without torch only rnn_core's figures print.
"""

from __future__ import annotations

import argparse
import os
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnn_core import TrainConfig, make_corpus, new_model, seed_corpus, seed_model  # noqa: E402
from rnn_core.batches import batches  # noqa: E402
from rnn_core.model import Model  # noqa: E402
from rnn_core.tokens import Corpus  # noqa: E402
from rnn_core.train import train  # noqa: E402

THREADS = 2
ALPHABET = string.ascii_letters + string.digits + " .\n"  # 65 distinct characters


@dataclass(frozen=True)
class Case:
    name: str
    describe: str
    model: Model
    corpus: Corpus
    config: TrainConfig
    cli_args: tuple[str, ...]  # the train options that make the same model and batches
    steps: int  # updates timed for rnn_core: about a second or more
    torch_steps: int


def synthetic_text(n: int, seed: int = 0) -> str:
    """n characters drawn uniformly from the 65-character ALPHABET (every one appears)."""
    rng = np.random.default_rng(seed)
    return ALPHABET + "".join(rng.choice(list(ALPHABET), n - len(ALPHABET)))


def cases(folder: Path) -> list[Case]:
    """The seed preset, and two char-level models trained on a synthetic text in ``folder``."""
    seed = seed_model()
    out = [Case("seed", "word, V=5 E=3 H=3, 1 sentence", seed, seed_corpus(),
                seed.config, ("--preset", "seed"), 10_000, 1_000)]
    text_file = folder / "synthetic.txt"
    text_file.write_text(synthetic_text(300_000))
    chars = make_corpus(text_file.read_text(), "char", name=text_file.name)
    for name, E, H, B, T, steps in (("small", 64, 64, 32, 32, 300), ("medium", 128, 256, 64, 64, 40)):
        config = TrainConfig(hidden_size=H, embed_dim=E, batch_size=B, seq_len=T)
        options = ("--corpus", str(text_file), "--level", "char", "--hidden-size", str(H), "--embed-dim", str(E),
                   "--batch-size", str(B), "--seq-len", str(T))
        out.append(Case(name, f"char, V=65 E={E} H={H} B={B} T={T}", new_model(chars, config), chars, config,
                        options, steps, steps))
    return out


def tokens_in(case: Case, steps: int) -> int:
    """Targets predicted by the first ``steps`` batches (the same batches every side trains on)."""
    stream = batches(case.model, case.corpus, case.config)
    return int(sum(next(stream).n_targets for _ in range(steps)))


def loop_seconds(case: Case) -> float:
    """rnn_core.train on the case (after a short warm-up run)."""
    train(case.model, case.corpus, replace(case.config, steps=2))
    start = time.perf_counter()
    train(case.model, case.corpus, replace(case.config, steps=case.steps))
    return time.perf_counter() - start


def cli_seconds(case: Case, steps: int, folder: Path, threads: int) -> float:
    """Wall time of ``python -m rnn_core train`` with the case's options and --steps."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": str(threads)}
    args = [sys.executable, "-m", "rnn_core", "train", *case.cli_args, "--steps", str(steps),
            "--out", str(folder / "model.npz")]
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def torch_seconds(case: Case, threads: int) -> float:
    """The same model, weights, batches, clipping and Adam in torch.nn.RNN, float32."""
    import torch

    from rnn_core.torch_reference import torch_rnn

    torch.set_num_threads(threads)
    twin = torch_rnn(case.model.params, "float32")
    opt = torch.optim.Adam(twin.parameters(), lr=case.config.lr, fused=True)  # torch's fastest Adam on CPU
    stream = batches(case.model, case.corpus, case.config)
    work = [next(stream) for _ in range(case.torch_steps + 2)]
    tensors = [(torch.from_numpy(b.X), torch.from_numpy(b.Y), torch.from_numpy(b.mask).float(), b.reset)
               for b in work]
    H = case.model.params.W_h.shape[0]

    def step(X, Y, mask, reset, h):
        h0 = torch.zeros(1, X.shape[1], H) if reset or h is None else h
        loss, h_last = twin.loss(X, Y, mask, h0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if case.config.clip > 0:
            torch.nn.utils.clip_grad_norm_(twin.parameters(), case.config.clip)
        opt.step()
        return h_last.detach()

    h = None
    for b in tensors[:2]:  # warm-up
        h = step(*b, h)
    h, start = None, time.perf_counter()
    for b in tensors[2:]:
        h = step(*b, h)
    return time.perf_counter() - start


def limit_numpy_threads(threads: int) -> str:
    """Limit BLAS to ``threads`` threads (numpy is already imported, so env vars would be too late)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return "numpy: threadpoolctl not installed, BLAS threads left at their default"
    threadpool_limits(threads)
    blas = [f"{i['internal_api']} {i.get('version')} {i.get('architecture')} x{i['num_threads']}"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return "numpy: threadpoolctl limit " + ", ".join(blas)


def have_torch(threads: int) -> bool:
    try:
        import torch
    except ImportError:
        print("torch not installed: rnn_core's figures only")
        return False
    print(f"torch {torch.__version__}, {threads} threads, float32")
    return True


def measure(case: Case, args, folder: Path, torch_too: bool) -> dict[str, float]:
    """Best-of-N tokens/s for each side, the sides alternating so a burst of load hits all."""
    best = {"loop": np.inf, "cli": np.inf, "cli0": np.inf, "torch": np.inf}
    for _ in range(args.repeats):
        best["loop"] = min(best["loop"], loop_seconds(case))
        if args.cli:
            best["cli"] = min(best["cli"], cli_seconds(case, case.steps, folder, args.threads))
            best["cli0"] = min(best["cli0"], cli_seconds(case, 0, folder, args.threads))
        if torch_too:
            best["torch"] = min(best["torch"], torch_seconds(case, args.threads))
    tokens = tokens_in(case, case.steps)
    return {"loop": tokens / best["loop"], "cli": tokens / (best["cli"] - best["cli0"]) if args.cli else np.nan,
            "torch": tokens_in(case, case.torch_steps) / best["torch"] if torch_too else np.nan}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of N timings per side")
    parser.add_argument("--only", choices=["seed", "small", "medium"], action="append")
    parser.add_argument("--threads", type=int, default=THREADS, help="BLAS and torch threads")
    parser.add_argument("--no-cli", dest="cli", action="store_false", help="skip the CLI timings")
    args = parser.parse_args(argv)
    print(limit_numpy_threads(args.threads))
    torch_too = have_torch(args.threads)
    print(f"{'config':8} {'loop tok/s':>11} {'cli tok/s':>11} {'torch tok/s':>11} {'loop/torch':>10} "
          f"{'cli/torch':>9}  model (rnn_core precision)")
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases(Path(tmp)):
            if args.only and case.name not in args.only:
                continue
            r = measure(case, args, Path(tmp), torch_too)
            print(f"{case.name:8} {r['loop']:11,.0f} {r['cli']:11,.0f} {r['torch']:11,.0f} "
                  f"{r['loop'] / r['torch']:9.2f}x {r['cli'] / r['torch']:8.2f}x  "
                  f"{case.describe} ({case.model.config.dtype})", flush=True)


if __name__ == "__main__":
    main()
