"""Memory (a benchmark, not a test): peak RSS of training and generating at V = 5, 1k and 20k,
and what 30 idle sessions cost a server and how long it keeps it after their tabs close.

    .venv/bin/python benchmarks/memory_use.py [--quick] [--only models|sessions]

1. models: each case runs in a fresh Python process (so its peak is its own) on a synthetic
   word-level corpus with V distinct tokens (V = 5 is the seed sentence), through rnn_core's
   public API only (make_corpus, new_model, TrainConfig, train, generate). Prints the process's
   peak RSS and how much the operation added to the RSS it had before (model and corpus built).
   A case runs under an address-space-independent data limit (--limit-mb) so a regression ends
   in a MemoryError here rather than in the machine's OOM killer.
2. sessions: `streamlit run app.py`; 30 sessions (st_client.py, the websocket protocol) open
   the app's pages with default settings (Home, Train, Step-Through, Generate in turn) and stay
   idle; then they close. Prints the server's RSS before, with them open, and after closing,
   every few seconds, for server.disconnectedSessionTTL at Streamlit's default (120 s) and at
   --short-ttl. Streamlit drops a closed session only once its TTL has passed AND another
   session connects or disconnects, so after the TTL one session opens and closes ("activity").
   A second wave of 30 then shows whether the memory freed is reused. Each case runs twice:
   with ``ui/common/trim.py``'s malloc_trim off (RNN_LAB_TRIM_EVERY=0) and every --trim-every seconds
   (RSS is read for three trims' time after the activity).
   ``--vocab 20000`` makes every session train a V = 20,000 model and open Generate with it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

VOCABS = (5, 1_000, 20_000)
PAGES = ("", "train", "step-through", "generate")  # the app's pages as URL paths ("" is Home)
HEAVY_SET = ["Where the training text comes from=Paste text", "Level=word",
             "Training text (one sentence per line)=@{text}", "steps=1"]


# ---------------------------------------------------------------- 1. models (in a child process)


def synthetic_text(V: int, n_tokens: int, seed: int = 0) -> str:
    """Word-level text with exactly V - 1 distinct words (plus </s>): every word once, then
    random ones; lines of 5 to 40 words, so batches have different lengths (as real text does)."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(V - 1)]
    tokens = words + [rng.choice(words) for _ in range(max(0, n_tokens - len(words)))]
    rng.shuffle(tokens)
    lines, i = [], 0
    while i < len(tokens):
        n = rng.randint(5, 40)
        lines.append(" ".join(tokens[i:i + n]))
        i += n
    return "\n".join(lines)


def corpus_for(V: int, n_tokens: int):
    import rnn_core as rc

    if V == 5:
        return rc.seed_corpus()
    corpus = rc.make_corpus(synthetic_text(V, n_tokens), "word", name=f"synthetic V={V}")
    if len(set(t for s in corpus.sentences for t in s)) != V:
        raise RuntimeError(f"the synthetic corpus does not have V = {V}")
    return corpus


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def child(case: str, V: int, args) -> dict:
    """One measurement in this (fresh) process: RSS before the operation and the peak."""
    import rnn_core as rc

    limit = args.limit_mb * 2**20
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    corpus = corpus_for(V, args.tokens)
    config = rc.TrainConfig(hidden_size=args.hidden, embed_dim=args.hidden, steps=args.steps, batch_size=args.batch)
    model = rc.new_model(corpus, config)
    before = rss_kb()
    t0 = time.perf_counter()
    try:
        if case == "train":
            kept = rc.train(model, corpus, config)
        else:
            prompt = list(corpus.sentences[0][:1])
            rule = rc.Rule(strategy="sample", temperature=1.0)
            kept = [rc.generate(model, prompt, rule, max_tokens=args.max_tokens[0], seed=0, sample=i)
                    for i in range(args.samples)]
    except MemoryError:
        kept = "MemoryError"
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return {"before_mb": before / 1024, "peak_mb": peak / 1024, "now_mb": rss_kb() / 1024, "seconds": seconds,
            "error": kept if isinstance(kept, str) else ""}


def run_case(case: str, V: int, max_tokens: int, args) -> dict:
    cmd = [sys.executable, __file__, "--child", case, "--V", str(V), "--tokens", str(args.tokens),
           "--hidden", str(args.hidden), "--steps", str(args.steps), "--batch", str(args.batch),
           "--samples", str(args.samples), "--max-tokens", str(max_tokens), "--limit-mb", str(args.limit_mb)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"}
    return json.loads(out.stdout)


def report_models(args) -> None:
    print(f"1. Peak RSS of one process (word level, H = E = {args.hidden}, batch {args.batch}; "
          f"{args.tokens:,} tokens for V > 5)")
    print(f"   train: {args.steps} steps;  generate: {args.samples} samples of N tokens, all kept "
          "(the Generate page's defaults: 10 samples, max tokens 20), sampled at T = 1")
    print(f"   {'case':<16} {'V':>7} {'peak MB':>9} {'added MB':>9} {'seconds':>8}")
    cases = [("train", "train", 0)] + [(f"generate N={n}", "generate", n) for n in args.max_tokens]
    for name, case, max_tokens in cases:
        for V in args.vocabs:
            r = run_case(case, V, max_tokens, args)
            if "peak_mb" not in r or r["error"]:
                print(f"   {name:<16} {V:>7,} failed: {r.get('error')} (data limit {args.limit_mb} MB)")
                continue
            print(f"   {name:<16} {V:>7,} {r['peak_mb']:>9.0f} {r['peak_mb'] - r['before_mb']:>9.0f} "
                  f"{r['seconds']:>8.2f}")


# ---------------------------------------------------------------- 2. idle sessions on a server
# (st_client is imported inside the functions: the model cases' child processes never load
# Streamlit, so their RSS is rnn_core's alone)


async def wave(url: str, n: int, args) -> list:
    from st_client import open_all

    if args.vocab:
        sessions, _ = await open_all(url, ["train"] * n, concurrency=4, timeout=120)
        await asyncio.gather(*(load_up(s, args) for s in sessions))
    else:
        sessions, _ = await open_all(url, [PAGES[i % len(PAGES)] for i in range(n)], concurrency=4, timeout=120)
    errors = [e for s in sessions for e in s.errors]
    if errors:
        print(f"   sessions saw errors: {errors[:3]}")
    return sessions


async def load_up(s, args) -> None:
    """A session with a V-token model: train it on the Train page (--heavy-set), then open the
    Generate page at its default settings (it generates and keeps its samples), or with
    --generate-view at --generate-max-tokens on that view (the link's ``view``)."""
    from urllib.parse import urlencode

    from st_client import apply_settings

    await apply_settings(s, args.heavy_set, timeout=300)
    await s.click(args.train_label, timeout=300)
    await s.goto("generate", timeout=300)
    if args.generate_view:
        await apply_settings(s, [f"Max tokens={args.generate_max_tokens}"], timeout=300)
        s.query_string = urlencode({"view": args.generate_view})  # read by the page on its next run
        await s.wait(await s._send(), timeout=300)


async def activity(url: str) -> None:
    """One session opens and closes: Streamlit drops expired sessions only on such a write."""
    from st_client import Session

    s = Session(url)
    await s.open("", timeout=120)
    await s.close()


async def sessions_case(ttl: int | None, trim_every: int, args) -> None:
    from st_client import start_server

    os.environ["RNN_LAB_TRIM_EVERY"] = str(trim_every)  # read by the server's ui/common/trim.py
    try:
        server = start_server(ttl)
    finally:
        os.environ.pop("RNN_LAB_TRIM_EVERY")
    try:
        await activity(server.url)  # the server's first visitor trains the seed model once
        trimming = f"malloc_trim every {trim_every} s" if trim_every else "malloc_trim off"
        print(f"   disconnectedSessionTTL = {ttl if ttl is not None else '120 (default)'} s, {trimming}:")
        for k in (1, 2):
            for line in await one_wave(server, k, ttl if ttl is not None else 120, trim_every, args):
                print("     " + line)
    finally:
        server.stop()


async def one_wave(server, k: int, ttl: int, trim_every: int, args) -> list[str]:
    """Open the sessions, close them, watch RSS until past the TTL, then one session's activity."""
    from st_client import close_all, rss_after, rss_mb

    pid = server.proc.pid
    before = rss_mb(pid)
    sessions = await wave(server.url, args.sessions, args)
    opened = rss_mb(pid)
    await close_all(sessions)
    samples = await rss_after(pid, ttl + 5, every=max(5.0, (ttl + 5) / 6))
    await activity(server.url)
    dropped = await rss_after(pid, 2 + 3 * trim_every, every=max(2.0, trim_every))  # a few trims, if on
    return [f"wave {k}: {before:.0f} MB before, {opened:.0f} MB with {args.sessions} open "
            f"(+{(opened - before) / args.sessions:.2f} MB per session)",
            "  closed: " + ", ".join(f"+{t:.0f} s {mb:.0f} MB" for t, mb in samples),
            "  after the TTL and one session's activity: " + ", ".join(f"+{t:.0f} s {mb:.0f} MB" for t, mb in dropped)]


def report_sessions(args) -> None:
    if args.vocab:
        import tempfile

        text = Path(tempfile.mkdtemp()) / "corpus.txt"
        text.write_text(synthetic_text(args.vocab, 4 * args.vocab), encoding="utf-8")
        args.heavy_set = [item.replace("{text}", str(text)) for item in args.heavy_set]
        what = f"each trained on a V = {args.vocab:,} text (Train page), then idle on Generate at " + (
            f"max tokens {args.generate_max_tokens}, view {args.generate_view!r}" if args.generate_view
            else "its defaults")
    else:
        what = f"pages {', '.join(p or 'home' for p in PAGES)} in turn, the seed model"
    print(f"\n2. Server RSS with {args.sessions} idle sessions ({what})")
    for ttl in args.ttls:
        for trim_every in (0, args.trim_every):
            asyncio.run(sessions_case(ttl, trim_every, args))


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="shorter: fewer training steps, only the short TTL")
    ap.add_argument("--only", choices=("models", "sessions"), help="run one half")
    ap.add_argument("--vocabs", default=",".join(map(str, VOCABS)), help="vocabulary sizes V")
    ap.add_argument("--tokens", type=int, default=100_000, help="tokens of the synthetic corpora")
    ap.add_argument("--hidden", type=int, default=64, help="H = E of the models")
    ap.add_argument("--steps", type=int, default=20, help="training steps")
    ap.add_argument("--batch", type=int, default=16, help="training batch size (sentences)")
    ap.add_argument("--samples", type=int, default=10, help="generated samples kept")
    ap.add_argument("--max-tokens", default="20,150", help="tokens per generated sample (a list)")
    ap.add_argument("--limit-mb", type=int, default=6000, help="data limit of each model case")
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--short-ttl", type=int, default=15, help="the shorter server.disconnectedSessionTTL tried")
    ap.add_argument("--vocab", type=int, default=0,
                    help="sessions train a word model with this V first (0: they keep the seed model)")
    ap.add_argument("--heavy-set", action="append", metavar="LABEL=VALUE",
                    help=f"Train page widgets set for --vocab ({{text}}: the synthetic text's file); "
                         f"default {HEAVY_SET}")
    ap.add_argument("--train-label", default="▶ Train")
    ap.add_argument("--generate-view", help="with --vocab: the Generate view each session opens, e.g. "
                                            "'Inside one sample' (it keeps full traces)")
    ap.add_argument("--generate-max-tokens", type=int, default=500, help="with --generate-view: max tokens")
    ap.add_argument("--trim-every", type=int, default=10,
                    help="seconds between two malloc_trim calls in the trimming runs (the app's default is 60)")
    ap.add_argument("--child", choices=("train", "generate"), help=argparse.SUPPRESS)
    ap.add_argument("--V", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    args.vocabs = [int(v) for v in args.vocabs.split(",") if v.strip()]
    args.heavy_set = args.heavy_set or HEAVY_SET
    args.max_tokens = [int(n) for n in args.max_tokens.split(",") if n.strip()]
    args.ttls = [args.short_ttl] if args.quick else [None, args.short_ttl]
    if args.quick:
        args.steps, args.max_tokens = min(args.steps, 5), args.max_tokens[:1]
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.V, args)))
        return
    if args.only != "sessions":
        report_models(args)
    if args.only != "models":
        report_sessions(args)


if __name__ == "__main__":
    main()
