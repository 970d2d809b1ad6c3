"""Command line: ``python -m rnn_core train ...`` and ``python -m rnn_core generate ...``.

Every bad input ends the same way: one line ``error: ...`` on stderr, exit status 2, no
traceback, and no model file written or changed (``save`` is atomic and runs only after
training succeeded). That includes text the shell passes in another encoding than UTF-8
(Python hands such bytes over as lone surrogates, ``--text $'caf\\xe9'``): --text and --prompt
are refused, and a file name is shown with U+FFFD where its bytes are not UTF-8.
``generate --json`` writes its document one step at a time (``json_stream``), so its memory
does not grow with the output.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from dataclasses import replace

from . import json_stream, limits
from .beam import BeamRun, beam_document
from .config import SETTINGS, Setting, TrainConfig
from .errors import ConfigError, CorpusError, RnnCoreError
from .metrics import perplexity
from .model import SEED_SENTENCE, Model, seed_corpus, start_model
from .model_file import load, save
from .recorder import record_training
from .sample import Rule, generate_summary, iter_generate, text_of, traces_document
from .tokens import MAX_CORPUS_BYTES, Corpus, decode, decode_upload, make_corpus
from .train import TrainReport
from .untrusted import repaired, text_problem

EXIT_BAD_INPUT = 2
EXIT_DIVERGED = 3  # the model was written, but training stopped early on a non-finite loss
EXIT_BROKEN_PIPE = 141  # the shell's status for a writer whose reader went away (128 + SIGPIPE)
MEMORY_HINTS = {  # what to change when a command runs out of memory
    "train": "lower --batch-size or --seq-len, or use --dtype float32; no model file was written",
    "generate": "lower --max-tokens",
}
TRAIN_EPILOG = (
    "exit status: 0 trained and wrote --out; 2 bad input (one 'error:' line on stderr, nothing "
    f"written); {EXIT_DIVERGED} training diverged: --out holds the last weights whose loss was "
    "finite, and a 'warning:' line on stderr says so."
)
GENERATE_EPILOG = """\
how the next token is picked, in this order (each rule that is on):
  1. --repetition-penalty R: the logit o_v of every token already in the context (the prompt
     and what was generated so far) becomes o_v / R if positive, o_v * R if not;
  2. --temperature T: y = softmax(o / T); T = 0 means greedy (the argmax);
  3. --top-k K: keep the K most probable tokens (K at most the vocabulary size);
  4. --top-p P: keep the smallest most-probable set whose mass reaches P;
  5. --min-p M: keep the tokens with p >= M * (largest p);
  6. --typical-p P: keep the tokens whose surprisal -ln p is closest to the entropy,
     up to mass P.
Each filter sees what the ones before it kept, renormalised: with --top-k and --top-p both
given, top-p measures mass within the top-k set. The token is then drawn from the result by
inverse CDF with a uniform u from --seed. Greedy takes the argmax after the repetition
penalty and ignores the other rules.

--strategy defaults to greedy, or to sample when --temperature, --top-k, --top-p, --min-p or
--typical-p is given.

exit status: 0 ok; 2 bad input (one 'error:' line on stderr).
"""
SAMPLING_LIMITS = (limits.TEMPERATURE, limits.TOP_K, limits.TOP_P, limits.MIN_P, limits.TYPICAL_P)
PRESET = "i-love-deep-learning"  # the preset is named after its sentence; "seed" is its older name
PRESET_NAMES = (PRESET, "seed")
PRESET_HELP = (f"the '{SEED_SENTENCE}' preset: the lesson's one training sentence, word level, starting "
               f"from x('I') = [0.1, 0.3, 0.5] (also accepted: --preset seed)")
# In this help "seed" means the random seed only: the settings' help (rnn_core.config) also
# calls the preset "the seed", which here is named after its sentence.
HELP = {"seed": "random seed: it draws the initial weights and the batch order; the same random seed and "
                "settings give the same model, bit for bit"}
PRESET_WORDS = {"the seed preset": f"the '{SEED_SENTENCE}' preset",
                "the seed uses": f"the '{SEED_SENTENCE}' preset uses"}
# options whose value is used as text (the others are paths or numbers), and what to do instead
ARGV_TEXT = {"text": "Give it as UTF-8 (the shell passed another encoding), or train from a UTF-8 file with --corpus.",
             "prompt": "Give it as UTF-8 (the shell passed another encoding)."}


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
    source.add_argument("--preset", choices=PRESET_NAMES, metavar=PRESET, help=PRESET_HELP)
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

    add_generate_parser(sub)
    return parser


def _limit_help(limit: limits.Limit) -> str:
    """'keep the tokens with p >= ...; from 0 to 1 (0 = off); default 0'."""
    return f"{limit.help}; {limit.range_text()}; default {limits.shown_value(limit.default)}"


def add_generate_parser(sub) -> None:
    """The ``generate`` subcommand: its options' ranges, defaults and help come from
    ``rnn_core.limits``."""
    g = sub.add_parser("generate", help="generate text from a model", epilog=GENERATE_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    g.add_argument("model", metavar="MODEL.npz")
    g.add_argument("--prompt", required=True,
                   help=f"known tokens to start from, at most {limits.PROMPT_TOKENS.high:,} "
                        "(type </s> for the end of a sentence)")
    g.add_argument("--strategy", choices=limits.STRATEGIES + ("beam",),
                   help="greedy takes the most probable token; sample draws it from q_t; beam keeps "
                        "the --beam-width most probable continuations")
    g.add_argument("--temperature", type=float, metavar="T", help=_limit_help(limits.TEMPERATURE))
    g.add_argument("--top-k", type=int, metavar="K",
                   help=f"{limits.TOP_K.help}; a whole number from 1 to the vocabulary size (leave out for off)")
    for limit in (limits.TOP_P, limits.MIN_P, limits.TYPICAL_P, limits.REPETITION_PENALTY):
        g.add_argument(limit.flag, type=float, metavar="F", help=_limit_help(limit))
    by_level = ", ".join(f"{n} for a {level}-level model" for level, n in limits.MAX_TOKENS_BY_LEVEL.items())
    g.add_argument(limits.MAX_TOKENS.flag, type=int, metavar="N",
                   help=f"{limits.MAX_TOKENS.help}; {limits.MAX_TOKENS.range_text()}; default {by_level}")
    g.add_argument(limits.SEED.flag, type=int, default=limits.SEED.default, metavar="N",
                   help=_limit_help(limits.SEED))
    g.add_argument("--json", action="store_true", help="print every step's trace as JSON")
    add_beam_options(g)


BEAM_CONFLICTS = ("temperature", "top_k", "top_p", "min_p", "typical_p", "repetition_penalty")  # beam does not sample


def add_beam_options(g) -> None:
    """--beam-width and --length-norm of ``generate --strategy beam``."""
    g.add_argument("--beam-width", type=int, metavar="B",
                   help=f"with --strategy beam: {_limit_help(limits.BEAM_WIDTH)}; --json adds every "
                        "step's kept and pruned hypotheses")
    g.add_argument("--length-norm", action="store_true",
                   help="with --strategy beam: rank complete sentences by log p / length")


def setting_option(setting: Setting) -> dict:
    """argparse keywords for one training setting: its choices or type, and its help text."""
    if setting.choices:
        kind = {"choices": setting.choices}
    else:
        kind = {"type": type(setting.default), "metavar": "N" if isinstance(setting.default, int) else "F"}
    return {**kind, "help": f"{option_help(setting)} (default {setting.default})".replace("%", "%%")}


def option_help(setting: Setting) -> str:
    """The setting's help, in the CLI's words (``HELP``, ``PRESET_WORDS``)."""
    text = HELP.get(setting.name, setting.help)
    for said, meant in PRESET_WORDS.items():
        text = text.replace(said, meant)
    return text


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
    if args.preset and args.level not in (None, "word"):
        raise ConfigError(f"the '{SEED_SENTENCE}' preset is word level; use --text or --corpus for char level.")
    corpus = given_corpus(args, args.level or "word")
    if corpus is None:
        raise ConfigError(f"give the text to train on: --preset {PRESET}, --text TEXT or --corpus FILE.")
    config = TrainConfig(**overrides)
    return start_model(corpus, config), corpus, config


def given_corpus(args, level: str) -> Corpus | None:
    """The corpus of --preset/--text/--corpus, or None when none was given."""
    if args.preset:
        return seed_corpus()
    if args.text is not None:
        return make_corpus(args.text, level, name="text")
    if args.corpus is not None:
        return make_corpus(read_corpus_file(args.corpus), level, name=repaired(os.path.basename(args.corpus)))
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
        model = model.in_precision(dtype)
    config = replace(model.config, **{**overrides, "dtype": model.params.W_h.dtype.name})
    return model, corpus, config


def check_argv_text(args) -> None:
    """ConfigError naming the option when --text or --prompt is not valid text: bytes that are
    not UTF-8 (a terminal or script in another encoding) arrive as lone surrogates."""
    for name, advice in ARGV_TEXT.items():
        problem = text_problem(getattr(args, name, None) or "")
        if problem:
            raise ConfigError(f"--{name} is not valid text: {problem}. {advice}")


def run_train(args) -> int:
    """``train``: build or load the model, train it, write it, report."""
    check_out_path(args.out)
    model, corpus, config = train_inputs(args)
    # recorded (losses and snapshots go into the file, so the app can replay the training), all
    # of the text trained on: no validation hold-out here
    trained, report, _ = record_training(model, corpus, config, hold_out=False)
    trained = replace(trained, corpus_name=corpus.name, corpus_text=corpus.text)
    save(trained, args.out)
    if report.status == "diverged":
        print(f"warning: {report.message} Wrote {repaired(args.out)}.", file=sys.stderr)
    summary = train_summary(trained, report, repaired(args.out))
    if args.json:
        print(json.dumps(summary, allow_nan=False))
    else:
        loss = summary["final_loss"]
        loss_text = "untrained" if loss is None else f"final loss {loss:.4f}"
        print(f"{summary['status']}: {summary['steps']} steps in {summary['dtype']}, {loss_text}; "
              f"wrote {summary['out']}")
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
        "perplexity": _finite_or_none(perplexity(final)) if report.losses else None,
        "tokens_per_s": report.tokens_per_s,
        "level": model.level,
        "dtype": model.config.dtype,  # what --dtype auto chose, or what was asked for
        "vocab": list(model.vocab.tokens),
        "out": out,
    }


def generate_rule(args) -> Rule:
    """The picking rule: sampling when asked for, or implied by a sampling option; every option
    left out keeps its default ("off" for the filters)."""
    given = {limit.key: getattr(args, limit.key) for limit in limits.RULE_KNOBS
             if getattr(args, limit.key) is not None}
    implied = any(limit.key in given for limit in SAMPLING_LIMITS)
    if given.get("top_k", 1) < 1:  # 0 = off is what leaving --top-k out already means
        raise ConfigError(f"--top-k must be a whole number from 1 to the vocabulary size (leave it out "
                          f"for no top-k), not {given['top_k']}.")
    return Rule(args.strategy or ("sample" if implied else "greedy"), **given)


def max_tokens(args, model: Model) -> int:
    """--max-tokens, or the default for the model's level (a char-level model needs more tokens
    than a word-level one for a sentence)."""
    return limits.default_max_tokens(model.level) if args.max_tokens is None else args.max_tokens


def run_generate(args) -> int:
    """``generate``: load the model, generate from the prompt, print the text or stream the
    traces (one step's arrays in memory at a time)."""
    if args.strategy == "beam" or args.beam_width is not None or args.length_norm:
        return run_beam(args)
    rule = generate_rule(args)
    model = load(args.model)
    n = max_tokens(args, model)
    if args.json:
        steps = iter_generate(model, args.prompt, rule, max_tokens=n, seed=args.seed)
        json_stream.write(traces_document(model, steps), sys.stdout)
    else:
        print(text_of(model, generate_summary(model, args.prompt, rule, max_tokens=n, seed=args.seed)))
    return 0


def check_beam_args(args) -> None:
    """ConfigError when the beam options come without --strategy beam, or with sampling options."""
    if args.strategy != "beam":
        raise ConfigError("--beam-width and --length-norm need --strategy beam.")
    given = [f"--{name.replace('_', '-')}" for name in BEAM_CONFLICTS
             if getattr(args, name, None) is not None]
    if given:
        raise ConfigError(f"--strategy beam does not sample; drop {', '.join(given)}.")


def run_beam(args) -> int:
    """``generate --strategy beam``: the best continuation's text, or with --json its traces and
    a "beam" key holding every step's kept and pruned hypotheses (``beam.beam_document``), each
    step written as it is made and then dropped."""
    check_beam_args(args)
    model = load(args.model)
    width = limits.BEAM_WIDTH.default if args.beam_width is None else args.beam_width
    run = BeamRun(model, args.prompt, width, max_tokens=max_tokens(args, model), length_norm=args.length_norm)
    if args.json:
        json_stream.write(beam_document(run), sys.stdout)
    else:
        for _ in run.steps():
            pass
        print(decode([model.vocab.tokens[i] for i in run.prompt_ids + list(run.ranked()[0].ids)], model.level))
    return 0


def one_line(message: str) -> str:
    """A message on one line, so stderr always holds exactly one line per error."""
    return " ".join(str(message).split())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        check_argv_text(args)
        return run_train(args) if args.command == "train" else run_generate(args)
    except RnnCoreError as e:
        print(f"error: {one_line(e)}", file=sys.stderr)
    except BrokenPipeError:  # the reader stopped early (| head): not an error of ours to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush is quiet
        return EXIT_BROKEN_PIPE
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
