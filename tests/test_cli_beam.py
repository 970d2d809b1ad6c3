"""``python -m rnn_core generate --strategy beam``: the best sentence, its JSON beam, refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from test_cli import assert_refused, cli

from rnn_core.corpora import BUILTINS
from rnn_core.limits import BEAM_WIDTH

BEAM = BUILTINS["beam beats greedy: like / love"]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A folder holding a model trained on the beam built-in with its suggested settings."""
    d = tmp_path_factory.mktemp("cli_beam")
    (d / "beam.txt").write_text(BEAM.text)
    r = cli("train", "--corpus", "beam.txt", "--hidden-size", BEAM.hidden_size, "--steps", BEAM.steps,
            "--out", "beam.npz", cwd=d)
    assert r.returncode == 0, r.stderr
    return d


def test_beam_prints_the_more_probable_sentence_greedy_misses(work):
    greedy = cli("generate", "beam.npz", "--prompt", "I", cwd=work)
    beam = cli("generate", "beam.npz", "--prompt", "I", "--strategy", "beam", "--beam-width", "2", cwd=work)
    assert beam.returncode == 0 and beam.stderr == ""
    assert greedy.stdout.startswith("I like ")
    assert beam.stdout == "I love music </s>\n"


def test_beam_json_is_the_best_path_as_traces_plus_every_steps_beam(work):
    r = cli("generate", "beam.npz", "--prompt", "I", "--strategy", "beam", "--beam-width", "2", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) == {"vocab", "text", "steps", "beam"}
    assert doc["text"] == "I love music </s>"
    assert [s["how"] for s in doc["steps"]] == ["forced"] * 3
    beam = doc["beam"]
    assert (beam["width"], beam["length_norm"]) == (2, False)
    assert beam["best"]["tokens"] == ["love", "music", "</s>"] and beam["best"]["finished"]
    # log p of the best path is the sum of log y_t over the printed steps
    assert beam["best"]["log_p"] == pytest.approx(sum(math.log(s["p"]) for s in doc["steps"]), abs=1e-12)
    assert beam["greedy"]["tokens"][0] == "like" and beam["greedy"]["log_p"] < beam["best"]["log_p"]
    V = len(doc["vocab"])
    for i, step in enumerate(beam["steps"]):
        assert step["t"] == i + 1
        live_before = 1 if i == 0 else sum(not h["finished"] for h in beam["steps"][i - 1]["kept"])
        assert len(step["kept"]) + step["n_pruned"] == live_before * V == len(step["kept"]) + len(step["pruned"])
        for h in step["kept"] + step["pruned"]:
            assert set(h) == {"tokens", "log_p", "score", "finished", "parent"}
            if i == 0:
                assert h["parent"] is None and len(h["tokens"]) == 1
            else:
                assert beam["steps"][i - 1]["kept"][h["parent"]]["tokens"] == h["tokens"][:-1]


def test_length_norm_divides_the_score_by_the_length(work):
    r = cli("generate", "beam.npz", "--prompt", "I", "--strategy", "beam", "--length-norm", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    beam = json.loads(r.stdout)["beam"]
    assert beam["length_norm"] is True and beam["width"] == 3  # the default width
    for h in beam["complete"]:
        assert h["score"] == pytest.approx(h["log_p"] / len(h["tokens"]), abs=1e-15)


BEAM_REFUSALS = [
    (["--strategy", "beam", "--beam-width", "0"], ["beam width", "1 to"]),
    (["--strategy", "beam", "--beam-width", "-3"], ["beam width"]),
    (["--strategy", "beam", "--beam-width", str(BEAM_WIDTH.high + 1)], ["beam width", f"{BEAM_WIDTH.high:,}"]),
    (["--strategy", "beam", "--beam-width", "two"], ["--beam-width"]),
    (["--strategy", "beam", "--temperature", "0.5"], ["does not sample", "--temperature"]),
    (["--strategy", "beam", "--top-k", "2", "--top-p", "0.9"], ["--top-k, --top-p"]),
    (["--beam-width", "2"], ["--strategy beam"]),
    (["--strategy", "sample", "--length-norm"], ["--strategy beam"]),
    (["--strategy", "beam", "--max-tokens", "0"], ["max tokens"]),
]


@pytest.mark.parametrize("args, words", BEAM_REFUSALS, ids=[" ".join(a) for a, _ in BEAM_REFUSALS])
def test_generate_refuses_bad_beam_options(work, args, words):
    assert_refused(cli("generate", "beam.npz", "--prompt", "I", *args, cwd=work), *words)
