"""Command line: ``python -m rnn_core train ...`` and ``python -m rnn_core generate ...``.

Every bad input ends the same way: one line ``error: ...`` on stderr, exit status 2, no
traceback, and no model file written or changed (``save`` is atomic and runs only after
training succeeded).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import replace

from .config import SETTINGS, Setting, TrainConfig
from .errors import ConfigError, CorpusError, RnnCoreError
from .model_file import load, save
from .params import Model, new_model, seed_corpus, seed_model
from .sample import Rule, generate, text_of, traces_json
from .tokens import MAX_CORPUS_BYTES, Corpus, decode_upload, make_corpus
from .train import TrainReport, train

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3  # the model was written, but training stopped early on a non-finite loss
DEFAULT_MAX_TOKENS = 50
MEMORY_HINTS = {  # what to change when a command runs out of memory
    "train": "lower --batch-size or --seq-len, or use --dtype float32; no model file was written",
    "generate": "lower --max-tokens",
}
TRAIN_EPILOG = (
    "exit status: 0 trained and wrote --out; 2 bad input (one 'error:' line on stderr, nothing "
    f"written); {EXIT_DIVERGED} training diverged: --out holds the last weights whose loss was "
    "finite, and a 'warning:' line on stderr says so."
)
GENERATE_EPILOG = (
    "--strategy defaults to greedy, or to sample when --temperature, --top-k or --top-p is given. "
    "exit status: 0 ok; 2 bad input (one 'error:' line on stderr)."
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line (exit 2), like every other bad input."""

    def error(self, message):
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``train`` and ``generate`` subcommands; the contract every bad input follows is in
    this module's docstring."""
    parser = _Parser(prog="python -m rnn_core", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="{train,generate}")

    t = sub.add_parser("train", help="train a model and write it to --out", epilog=TRAIN_EPILOG)
    source = t.add_mutually_exclusive_group()
    source.add_argument("--preset", choices=["seed"], help="the seed document's sentence, word level")
    source.add_argument("--text", help="the training text itself (each line is one sentence)")
    source.add_argument("--corpus", metavar="FILE", help="a UTF-8 text file to train on")
    t.add_argument("--level", choices=["word", "char"], help="tokens: words (default) or characters")
    for setting in SETTINGS:
        t.add_argument(setting.flag, **setting_option(setting))
    t.add_argument("--init", metavar="MODEL.npz",
                   help="continue training this model (its vocabulary must cover the text; "
                        "without a text option it trains on its own stored text)")
    t.add_argument("--out", required=True, metavar="MODEL.npz", help="where to write the model")
    t.add_argument("--json", action="store_true", help="print a JSON summary (losses, status, ...)")

    g = sub.add_parser("generate", help="generate text from a model", epilog=GENERATE_EPILOG)
    g.add_argument("model", metavar="MODEL.npz")
    g.add_argument("--prompt", required=True, help="one or more known tokens to start from")
    g.add_argument("--strategy", choices=["greedy", "sample"])
    g.add_argument("--temperature", type=float, metavar="F", help="sampling temperature (0 = greedy)")
    g.add_argument("--top-k", type=int, metavar="N", help="sample among the N most probable tokens")
    g.add_argument("--top-p", type=float, metavar="F", help="sample among the smallest set with mass >= F")
    g.add_argument("--max-tokens", type=int, default=DEFAULT_MAX_TOKENS, metavar="N",
                   help=f"stop after N generated tokens (default {DEFAULT_MAX_TOKENS})")
    g.add_argument("--seed", type=int, default=0, metavar="N", help="RNG seed for sampling")
    g.add_argument("--json", action="store_true", help="print every step's trace as JSON")
    return parser


def setting_option(setting: Setting) -> dict:
    """argparse keywords for one training setting: its choices or type, and its help text."""
    if setting.choices:
        kind = {"choices": setting.choices}
    else:
        kind = {"type": type(setting.default), "metavar": "N" if isinstance(setting.default, int) else "F"}
    return {**kind, "help": f"{setting.help} (default {setting.default})".replace("%", "%%")}


def config_overrides(args) -> dict:
    """The TrainConfig fields given on the command line."""
    return {s.name: getattr(args, s.name) for s in SETTINGS if getattr(args, s.name) is not None}


def read_corpus_file(path: str) -> str:
    """The text of a corpus file: UTF-8, at most MAX_CORPUS_BYTES (CorpusError otherwise)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_CORPUS_BYTES + 1)
    except OSError as e:
        raise CorpusError(f"cannot read corpus file {path!r}: {e.strerror or e}.") from None
    return decode_upload(data)


def check_out_path(path: str) -> None:
    """Fail before training, not after it, when --out cannot be written."""
    parent = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ConfigError(f"--out {path!r} is a directory; give a file name such as model.npz.")
    if not os.path.isdir(parent):
        raise ConfigError(f"--out {path!r}: the folder {parent!r} does not exist.")
    if not os.access(parent, os.W_OK):
        raise ConfigError(f"--out {path!r}: the folder {parent!r} is not writable.")


def train_inputs(args) -> tuple[Model, Corpus, TrainConfig]:
    """The starting model, the corpus and the settings a ``train`` command asks for."""
    overrides = config_overrides(args)
    if args.init:
        return continued_inputs(args, overrides)
    if args.preset:
        if args.level not in (None, "word"):
            raise ConfigError("--preset seed is word level; use --text or --corpus for char level.")
        config = TrainConfig(**overrides)
        return seed_model(config), seed_corpus(), config
    corpus = given_corpus(args, args.level or "word")
    if corpus is None:
        raise ConfigError("give the text to train on: --preset seed, --text TEXT or --corpus FILE.")
    config = TrainConfig(**overrides)
    return new_model(corpus, config), corpus, config


def given_corpus(args, level: str) -> Corpus | None:
    """The corpus of --preset/--text/--corpus, or None when none was given."""
    if args.preset:
        return seed_corpus()
    if args.text is not None:
        return make_corpus(args.text, level, name="text")
    if args.corpus is not None:
        return make_corpus(read_corpus_file(args.corpus), level, name=os.path.basename(args.corpus))
    return None


def continued_inputs(args, overrides: dict) -> tuple[Model, Corpus, TrainConfig]:
    """--init: the loaded model, its sizes kept (and its precision, unless --dtype names the
    other one); the text given, or the model's own."""
    model = load(args.init)
    for name in ("hidden_size", "embed_dim"):
        if name in overrides and overrides[name] != getattr(model.config, name):
            flag = "--" + name.replace("_", "-")
            raise ConfigError(f"{flag} {overrides[name]} differs from the --init model's "
                              f"{getattr(model.config, name)}; a model's sizes cannot change.")
    if args.level not in (None, model.level):
        raise ConfigError(f"--level {args.level} differs from the --init model's level {model.level}.")
    corpus = given_corpus(args, model.level) or model.corpus()
    if corpus is None:
        raise ConfigError("the --init model stores no training text; give --text or --corpus.")
    dtype = overrides.get("dtype", "auto")
    if dtype not in ("auto", model.params.W_h.dtype.name):  # continue in the precision asked for
        model = replace(model, params=model.params.astype(dtype))
    config = replace(model.config, **{**overrides, "dtype": model.params.W_h.dtype.name})
    return model, corpus, config


def run_train(args) -> int:
    """``train``: build or load the model, train it, write it, report."""
    check_out_path(args.out)
    model, corpus, config = train_inputs(args)
    trained, report = train(model, corpus, config)
    trained = replace(trained, corpus_name=corpus.name, corpus_text=corpus.text)
    save(trained, args.out)
    if report.status == "diverged":
        print(f"warning: {report.message} Wrote {args.out}.", file=sys.stderr)
    summary = train_summary(trained, report, args.out)
    if args.json:
        print(json.dumps(summary, allow_nan=False))
    else:
        loss = summary["final_loss"]
        loss_text = "untrained" if loss is None else f"final loss {loss:.4f}"
        print(f"{summary['status']}: {summary['steps']} steps in {summary['dtype']}, {loss_text}; wrote {args.out}")
    return EXIT_DIVERGED if report.status == "diverged" else 0


def _finite_or_none(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def train_summary(model: Model, report: TrainReport, out: str) -> dict:
    """What ``train --json`` prints: losses, final loss, steps and status (plain JSON types)."""
    final = report.losses[-1] if report.losses else float("nan")
    return {
        "status": report.status,  # done | diverged
        "message": report.message,
        "steps": len(report.losses),  # updates done in this run
        "steps_trained": model.steps_trained,  # in the model's whole history
        "losses": [float(v) for v in report.losses],
        "final_loss": _finite_or_none(final),
        "perplexity": _finite_or_none(math.exp(min(final, 700))) if report.losses else None,
        "tokens_per_s": report.tokens_per_s,
        "level": model.level,
        "dtype": model.config.dtype,  # what --dtype auto chose, or what was asked for
        "vocab": list(model.vocab.tokens),
        "out": out,
    }


def generate_rule(args) -> Rule:
    """The picking rule: sampling when asked for, or implied by a sampling option."""
    sampling_options = (args.temperature, args.top_k, args.top_p)
    strategy = args.strategy or ("sample" if any(v is not None for v in sampling_options) else "greedy")
    if args.top_k is not None and args.top_k < 1:
        raise ConfigError(f"top-k must be a whole number >= 1, not {args.top_k}.")
    return Rule(strategy, 1.0 if args.temperature is None else args.temperature,
                args.top_k or 0, 1.0 if args.top_p is None else args.top_p)


def run_generate(args) -> int:
    """``generate``: load the model, generate from the prompt, print the text or the traces."""
    rule = generate_rule(args)
    model = load(args.model)
    traces = generate(model, args.prompt, rule, max_tokens=args.max_tokens, seed=args.seed)
    if args.json:
        print(json.dumps(traces_json(model, traces), allow_nan=False))
    else:
        print(text_of(model, traces))
    return 0


def one_line(message: str) -> str:
    """A message on one line, so stderr always holds exactly one line per error."""
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return run_train(args) if args.command == "train" else run_generate(args)
    except RnnCoreError as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
    except OSError as e:  # e.g. --out became unwritable while training
        where = f"{e.filename}: " if e.filename else ""
        print(f"error: {one_line(where + str(e.strerror or e))}", file=sys.stderr)
    except MemoryError:
        print(f"error: not enough memory to {args.command} with these settings; {MEMORY_HINTS[args.command]}.",
              file=sys.stderr)
    except KeyboardInterrupt:
        print("error: interrupted; no model file was written.", file=sys.stderr)
        return 130  # the shell's convention for Ctrl-C
    return EXIT_BAD_INPUT
