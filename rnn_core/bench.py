"""Training speed: rnn_core's numpy BPTT against torch.nn.RNN on the same model and batches.

    python -m rnn_core.bench [--repeats N]

Prints training tokens/s (targets predicted per second, forward + backward + clipping + Adam)
for three configurations, and, when PyTorch is installed, the same model in torch (nn.Embedding
+ nn.RNN(tanh) + nn.Linear + cross-entropy, fused Adam, the same clipping, the same batches) with the
ratio numpy / torch. Both run on 2 threads. A benchmark, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import string
import time
from dataclasses import dataclass, replace

import numpy as np

from .config import TrainConfig
from .params import Model, new_model, seed_corpus, seed_model
from .tokens import Corpus, make_corpus
from .train import batches, train

THREADS = 2
ALPHABET = string.ascii_letters + string.digits + " .\n"  # 65 distinct characters


@dataclass(frozen=True)
class Case:
    name: str
    describe: str
    model: Model
    corpus: Corpus
    config: TrainConfig


def synthetic_text(n: int, seed: int = 0) -> str:
    """n characters drawn uniformly from the 65-character ALPHABET (every one appears)."""
    rng = np.random.default_rng(seed)
    return ALPHABET + "".join(rng.choice(list(ALPHABET), n - len(ALPHABET)))


def cases() -> list[Case]:
    """The three benchmark configurations: the seed preset, and two char-level float32 models."""
    out = [Case("seed", "word, V=5 E=3 H=3, 1 sentence, float64", seed_model(), seed_corpus(),
                seed_model().config)]
    chars = make_corpus(synthetic_text(300_000), "char", name="synthetic")
    for name, E, H, B, T in (("small", 64, 64, 32, 32), ("medium", 128, 256, 64, 64)):
        config = TrainConfig(hidden_size=H, embed_dim=E, batch_size=B, seq_len=T, dtype="float32")
        out.append(Case(name, f"char, V=65 E={E} H={H} B={B} T={T}, float32", new_model(chars, config),
                        chars, config))
    return out


def steps_for(case: Case) -> int:
    """Enough updates for about a second of numpy training on this machine."""
    return {"seed": 1000, "small": 60, "medium": 8}[case.name]


def numpy_tokens_per_s(case: Case, steps: int) -> float:
    """rnn_core.train on the case (after a short warm-up run)."""
    train(case.model, case.corpus, replace(case.config, steps=2))
    config = replace(case.config, steps=steps)
    start = time.perf_counter()
    train(case.model, case.corpus, config)
    elapsed = time.perf_counter() - start
    return tokens_in(case, steps) / elapsed


def tokens_in(case: Case, steps: int) -> int:
    """Targets predicted by the first ``steps`` batches (the same batches both sides train on)."""
    stream = batches(case.model, case.corpus, case.config)
    return int(sum(next(stream).mask.sum() for _ in range(steps)))


def torch_tokens_per_s(case: Case, steps: int, threads: int = THREADS) -> float:
    """The same model, weights, batches, clipping and Adam in torch.nn.RNN."""
    import torch

    torch.set_num_threads(threads)
    dtype = {"float64": torch.float64, "float32": torch.float32}[case.config.dtype]
    p = case.model.params
    V, E, H = p.sizes
    emb, rnn, out = torch.nn.Embedding(V, E), torch.nn.RNN(E, H, nonlinearity="tanh"), torch.nn.Linear(H, V)
    modules = torch.nn.ModuleList([emb, rnn, out]).to(dtype)
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(p.embedding))
        rnn.weight_ih_l0.copy_(torch.from_numpy(p.W_x))
        rnn.weight_hh_l0.copy_(torch.from_numpy(p.W_h))
        rnn.bias_ih_l0.copy_(torch.from_numpy(p.b_h))
        rnn.bias_hh_l0.zero_()
        out.weight.copy_(torch.from_numpy(p.W_y))
        out.bias.copy_(torch.from_numpy(p.b_y))
    opt = torch.optim.Adam(modules.parameters(), lr=case.config.lr, fused=True)  # torch's fastest Adam on CPU
    stream = batches(case.model, case.corpus, case.config)
    work = [next(stream) for _ in range(steps + 2)]
    tensors = [(torch.from_numpy(b.X), torch.from_numpy(b.Y), torch.from_numpy(b.mask).to(dtype), b.reset)
               for b in work]

    def step(X, Y, mask, reset, h):
        h0 = torch.zeros(1, X.shape[1], H, dtype=dtype) if reset or h is None else h
        hs, h_last = rnn(emb(X), h0)
        losses = torch.nn.functional.cross_entropy(out(hs).reshape(-1, V), Y.reshape(-1), reduction="none")
        loss = (losses * mask.reshape(-1)).sum() / mask.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if case.config.clip > 0:
            torch.nn.utils.clip_grad_norm_(modules.parameters(), case.config.clip)
        opt.step()
        return h_last.detach()

    h = None
    for b in tensors[:2]:  # warm-up
        h = step(*b, h)
    h = None
    start = time.perf_counter()
    for b in tensors[2:]:
        h = step(*b, h)
    elapsed = time.perf_counter() - start
    return tokens_in(case, steps) / elapsed


def limit_numpy_threads(threads: int = THREADS) -> str:
    """Limit BLAS to ``threads`` threads (numpy is already imported, so env vars would be too late)."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return "numpy: threadpoolctl not installed, BLAS threads left at their default"
    threadpool_limits(threads)
    blas = [f"{i['internal_api']} {i.get('version')} {i.get('architecture')} x{i['num_threads']}"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return "numpy: threadpoolctl limit " + ", ".join(blas)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of N timings per side")
    parser.add_argument("--only", choices=["seed", "small", "medium"], action="append")
    parser.add_argument("--threads", type=int, default=THREADS, help="BLAS and torch threads")
    args = parser.parse_args(argv)
    print(limit_numpy_threads(args.threads))
    try:
        import torch

        print(f"torch {torch.__version__}, {args.threads} threads")
    except ImportError:
        torch = None
        print("torch not installed: numpy figures only")
    print(f"{'config':8} {'numpy tok/s':>12} {'torch tok/s':>12} {'ratio':>6}  model")
    for case in cases():
        if args.only and case.name not in args.only:
            continue
        n = steps_for(case)
        ours = theirs = float("nan")
        for _ in range(args.repeats):  # alternate, so a burst of load on the machine hits both sides
            ours = np.fmax(ours, numpy_tokens_per_s(case, n))
            if torch:
                theirs = np.fmax(theirs, torch_tokens_per_s(case, n, args.threads))
        ratio = f"{ours / theirs:5.2f}x" if torch else "    -"
        print(f"{case.name:8} {ours:12,.0f} {theirs:12,.0f} {ratio}  {case.describe}", flush=True)


if __name__ == "__main__":
    main()
