"""The CLI and what a shell sends it: bytes that are not UTF-8, file names in another encoding;
the JSON it streams; its default length by level; its help's words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cli import ROOT, assert_refused, cli, snapshot

import rnn_core as rc


def cli_bytes(*args, cwd) -> subprocess.CompletedProcess:
    """The CLI with arguments given as bytes, as a shell passes them (not decoded first)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    argv = [sys.executable.encode(), b"-m", b"rnn_core",
            *(a if isinstance(a, bytes) else str(a).encode() for a in args)]
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=300)


def decoded(r: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    return subprocess.CompletedProcess(r.args, r.returncode, r.stdout.decode("utf-8"), r.stderr.decode("utf-8"))


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cli_argv")
    assert cli("train", "--preset", "seed", "--out", "seed.npz", cwd=d).returncode == 0
    return d


@pytest.mark.parametrize("args, where", [
    ([b"--text", b"caf\xe9 au lait"], "character 4 is the byte 0xE9"),
    ([b"--text", b"ab\x80ab", b"--level", b"char"], "character 3 is the byte 0x80"),
])
def test_train_refuses_text_in_another_encoding_naming_the_option(work, args, where):
    before = snapshot(work)
    r = decoded(cli_bytes("train", *args, "--out", "new.npz", cwd=work))
    assert_refused(r, "--text is not valid text", where, "UTF-8")
    assert snapshot(work) == before


def test_generate_refuses_a_prompt_in_another_encoding(work):
    assert_refused(decoded(cli_bytes("generate", "seed.npz", "--prompt", b"caf\xe9", cwd=work)),
                   "--prompt is not valid text", "0xE9")


def test_a_corpus_file_named_in_another_encoding_trains_and_its_name_is_repaired_visibly(work, tmp_path):
    (tmp_path / os.fsdecode(b"caf\xe9.txt")).write_text("caf\u00e9 au lait\n", encoding="utf-8")
    r = cli_bytes("train", "--corpus", b"caf\xe9.txt", "--steps", "2", "--out", b"m\xe9.npz", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode("utf-8").endswith("wrote m\ufffd.npz\n")  # shown repaired; the file keeps its bytes
    model = rc.load(os.fsdecode(bytes(tmp_path) + b"/m\xe9.npz"))
    assert model.corpus_name == "caf\ufffd.txt" and model.vocab.tokens[0] == "caf\u00e9"


def test_generate_json_streams_the_same_document_as_traces_json(work):
    r = cli("generate", "seed.npz", "--prompt", "I", "--strategy", "sample", "--seed", "3", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    model = rc.load(str(work / "seed.npz"))
    traces = rc.generate(model, "I", rc.Rule("sample"), seed=3)
    assert json.loads(r.stdout) == json.loads(json.dumps(rc.decoding.traces_json(model, traces)))
    assert json.loads(r.stdout)["text"] == rc.decoding.text_of(model, traces)


def test_beam_json_streams_the_beam_of_beam_search(work):
    r = cli("generate", "seed.npz", "--prompt", "I", "--strategy", "beam", "--beam-width", "2", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    model = rc.load(str(work / "seed.npz"))
    result = rc.decoding.beam_search(model, "I", 2)
    vocab = model.vocab.tokens
    assert [[h["tokens"] for h in s["kept"]] for s in doc["beam"]["steps"]] == \
        [[[vocab[i] for i in h.ids] for h in s.kept] for s in result.steps]
    assert doc["beam"]["greedy"]["log_p"] == pytest.approx(result.greedy_log_p, abs=1e-12)
    assert doc["steps"] == json.loads(json.dumps(rc.decoding.traces_json(model, result.traces)))["steps"]


def test_generate_length_defaults_to_a_sentence_for_each_level(tmp_path):
    """Without --max-tokens: 20 words, or 200 characters (a char model has no </s> to stop at)."""
    char = rc.new_model(rc.make_corpus("abc def\n", "char"), rc.TrainConfig(hidden_size=4, embed_dim=2))
    word = rc.new_model(rc.make_corpus("a b c d", "word"), rc.TrainConfig(hidden_size=4, embed_dim=2))
    word.params.b_y[word.vocab.id(rc.EOS)] = -50.0  # never stops early
    for model, prompt, expected in ((char, "a", 200), (word, "a", 20)):
        rc.save(model, str(tmp_path / f"{model.level}.npz"))
        r = cli("generate", f"{model.level}.npz", "--prompt", prompt, "--strategy", "sample", "--json", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        steps = json.loads(r.stdout)["steps"]
        assert sum(s["how"] != "prompt" for s in steps) == expected == rc.limits.default_max_tokens(model.level)


def test_the_preset_is_named_after_its_sentence_and_seed_still_works(work, tmp_path):
    r = cli("train", "--preset", "i-love-deep-learning", "--out", tmp_path / "p.npz", cwd=work)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "p.npz").read_bytes() == (work / "seed.npz").read_bytes()


def test_help_says_seed_only_for_the_random_seed(work):
    """'seed' appears only in 'random seed', the --seed option and the preset's old name."""
    for command in ("train", "generate"):
        text = " ".join(cli(command, "--help", cwd=work).stdout.split())
        rest = text.replace("random seed", "").replace("--seed", "").replace("--preset seed", "")
        assert "seed" not in rest.lower(), rest
        assert "random seed" in text
    assert "'I love deep learning' preset" in " ".join(cli("train", "--help", cwd=work).stdout.split())


def test_the_cli_refuses_a_random_seed_out_of_range_in_words_of_a_random_seed(work):
    assert_refused(cli("generate", "seed.npz", "--prompt", "I", "--seed", "-1", cwd=work), "random seed")


def test_a_reader_that_stops_early_ends_the_stream_quietly(tmp_path):
    """`generate --json | head -c 10`: megabytes of output, the reader gone after 10 bytes."""
    text = "".join(chr(c) for c in range(0x21, 0x7f))
    model = rc.new_model(rc.make_corpus(text, "char"), rc.TrainConfig(hidden_size=4, embed_dim=2))
    rc.save(model, str(tmp_path / "m.npz"))
    with subprocess.Popen([sys.executable, "-m", "rnn_core", "generate", "m.npz", "--prompt", "a", "--max-tokens",
                           "500", "--strategy", "sample", "--json"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as p:
        assert p.stdout.read(10) == b'{"vocab": '
        p.stdout.close()
        assert p.wait(timeout=60) == 141 and p.stderr.read() == b""
