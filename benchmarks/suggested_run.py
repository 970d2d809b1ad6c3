"""How long the Train page's default run on a pasted text takes, and what it reaches (a benchmark,
not a test): the settings ``rc.training.suggest_for`` suggests, trained as the page trains them.

For each text: the suggested settings; the seconds ``record_training`` takes in this process;
the seconds from submitting the run to a warm training worker (``ui.train.worker``, as the page
does on a click on Train) to its outcome; the mean loss over the whole text (teacher forcing,
nats per token) of the trained model; and how many tokens of greedy text from the text's first
token repeat the text. Best of ``--repeats`` timings.

    .venv/bin/python benchmarks/suggested_run.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # one BLAS thread, as in the worker
    os.environ.setdefault(_var, "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import rnn_core as rc  # noqa: E402
from rnn_core.corpora import grammar_text  # noqa: E402
from ui.train import worker  # noqa: E402

PARAGRAPH = ("Once upon a time there was a small village at the edge of a great forest. Every morning the "
             "baker lit his oven before the sun came up, and the smell of fresh bread drifted down the narrow "
             "streets. The children ran to the square to play, and the old men sat on the bench by the well "
             "and talked about the weather. One day a stranger walked into the village with a large wooden "
             "box on his back, and nobody knew what was inside it.")  # 427 characters, as tests/test_config.py


def texts() -> list[tuple[str, rc.Corpus]]:
    grammar = grammar_text(110)  # sentences of the tiny grammar, one per line: about 2,000 characters
    return [
        ("paragraph, char level", rc.make_corpus(PARAGRAPH, "char", "pasted text")),
        ("paragraph, word level", rc.make_corpus(PARAGRAPH, "word", "pasted text")),
        (f"{len(grammar):,} characters of sentences, char level", rc.make_corpus(grammar, "char", "pasted text")),
        ("20,000 characters of sentences, char level",
         rc.make_corpus(grammar_text(600)[:20_000], "char", "pasted text")),
    ]


def through_worker(start: rc.Model, corpus: rc.Corpus, config: rc.TrainConfig) -> tuple[float, rc.Model]:
    """Seconds from submitting the run to a warm worker to its outcome, and the trained model."""
    worker.warm()
    time.sleep(1.0)  # the spare worker has imported numpy and rnn_core, as on a page opened a moment ago
    t = time.perf_counter()
    job = worker.Job(worker.Request(start, corpus, config))
    job.wait(600)
    seconds = time.perf_counter() - t
    if job.outcome is None or job.outcome.model is None:
        raise SystemExit(f"the run did not finish: {job.outcome}")
    return seconds, job.outcome.model


def repeated(model: rc.Model, corpus: rc.Corpus) -> int:
    """Tokens of greedy text from the first token that repeat the text's start."""
    text = [t for sentence in corpus.sentences for t in sentence]
    path = rc.generate(model, [text[0]], rc.GREEDY, max_tokens=min(500, len(text) - 1))
    generated = [text[0]] + [tr.token for tr in path]
    return next((i for i, (a, b) in enumerate(zip(generated, text)) if a != b), min(len(generated), len(text)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'text':<44} {'suggested settings':<52} {'in-process':>10} {'worker':>8} {'loss':>7} {'repeats':>11}")
    for name, corpus in texts():
        config = rc.training.suggest_for(corpus).config
        start = rc.training.start_model(corpus, config)
        local, worker = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            rc.training.record_training(start, corpus, config)
            local.append(time.perf_counter() - t)
            seconds, trained = through_worker(start, corpus, config)
            worker.append(seconds)
        settings = (f"H={config.hidden_size} E={config.embed_dim} {config.steps} steps lr={config.lr:g} "
                    f"T={config.seq_len} B={config.batch_size}")
        print(f"{name:<44} {settings:<52} {min(local):>9.2f}s {min(worker):>7.2f}s "
              f"{rc.training.mean_loss(trained, corpus):>7.3f} {repeated(trained, corpus):>4} tokens")


if __name__ == "__main__":
    main()
