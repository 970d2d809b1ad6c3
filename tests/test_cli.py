"""The CLI contract (one `error:` line and exit 2 for bad input, nothing written; exit 3 on
divergence), run as users run it: ``python -m rnn_core``."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import rnn_core as rc
import rnn_core.cli as cli_module
from rnn_core.cli import build_parser, option_help
from rnn_core.config import SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, cwd) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "rnn_core", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def snapshot(folder: Path) -> dict:
    """Every file's bytes and modification time, to prove nothing was written or changed."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()}


def assert_refused(result, *words):
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.stdout == ""
    for word in words:
        assert word in lines[0], lines[0]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A folder holding a trained seed model and the bad inputs the refusal tests use."""
    d = tmp_path_factory.mktemp("cli")
    r = cli("train", "--preset", "seed", "--out", "seed.npz", cwd=d)
    assert r.returncode == 0, r.stderr
    (d / "latin1.txt").write_bytes("café au lait\n".encode("latin-1"))
    (d / "big.txt").write_bytes(b"word " * (rc.tokens.MAX_CORPUS_BYTES // 5 + 1))
    (d / "good.txt").write_text("I love deep learning\n")
    (d / "garbage.npz").write_bytes(os.urandom(2000))
    model = rc.load(str(d / "seed.npz"))
    arrays = {k: v for k, v in np.load(d / "seed.npz").items()}
    np.savez(d / "pickled.npz", **{**arrays, "vocab": np.array(list(model.vocab.tokens), dtype=object)})
    np.savez(d / "nan.npz", **{**arrays, "W_h": np.full((3, 3), np.nan)})
    (d / "existing.npz").write_bytes(b"an earlier model, keep me")
    os.utime(d / "existing.npz", ns=(1_000_000_000, 1_000_000_000))
    return d


def test_train_the_preset_then_generate_greedy_from_I(work):
    r = cli("generate", "seed.npz", "--prompt", "I", cwd=work)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "I love deep learning </s>\n"
    assert r.stderr == ""


def test_train_json_summary(work, tmp_path):
    r = cli("train", "--preset", "seed", "--out", tmp_path / "m.npz", "--json", cwd=work)
    assert r.returncode == 0 and r.stderr == ""
    summary = json.loads(r.stdout)
    assert summary["status"] == "done" and summary["steps"] == 60 and summary["dtype"] == "float64"
    assert len(summary["losses"]) == 60 and summary["final_loss"] == summary["losses"][-1]
    assert summary["losses"][-1] < summary["losses"][0]
    assert summary["perplexity"] == pytest.approx(math.exp(summary["final_loss"]))
    # the file written is the same model as the one in the fixture: same seed, same weights
    assert (tmp_path / "m.npz").read_bytes() == (work / "seed.npz").read_bytes()


def test_generate_json_schema(work):
    r = cli("generate", "seed.npz", "--prompt", "I love", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert set(doc) == {"vocab", "text", "steps"}
    vocab = doc["vocab"]
    assert vocab == ["I", "love", "deep", "learning", "</s>"]
    assert doc["text"] == "I love deep learning </s>"
    fed_in = doc["text"].split()[:-1]
    assert [s["input"] for s in doc["steps"]] == fed_in  # one step per token fed in
    assert [s["how"] for s in doc["steps"]] == ["prompt", "greedy", "greedy", "greedy"]
    for s in doc["steps"]:
        assert {"input", "x", "h_prev", "h", "logits", "probs", "token"} <= set(s)
        assert len(s["probs"]) == len(vocab) and len(s["logits"]) == len(vocab)
        assert math.fsum(s["probs"]) == pytest.approx(1.0, abs=1e-12)
        assert s["probs"][vocab.index(s["token"])] == s["p"]  # probs are in vocabulary order
    # step 1 by hand from the file's own arrays: h_1 = tanh(W_x x_1 + b_h) since h_0 = 0
    a = np.load(work / "seed.npz")
    x1, W_x, b_h = a["embedding"][0].tolist(), a["W_x"].tolist(), a["b_h"].tolist()
    h1 = [math.tanh(sum(W_x[i][j] * x1[j] for j in range(3)) + b_h[i]) for i in range(3)]
    assert doc["steps"][0]["h_prev"] == [0.0, 0.0, 0.0]
    np.testing.assert_allclose(doc["steps"][0]["h"], h1, rtol=1e-14)
    assert doc["steps"][1]["h_prev"] == doc["steps"][0]["h"]


def test_sampling_is_reproducible_and_temperature_zero_is_greedy(work):
    args = ("generate", "seed.npz", "--prompt", "I", "--temperature", "3", "--seed", "11", "--json")
    first, again = cli(*args, cwd=work), cli(*args, cwd=work)
    assert first.returncode == 0 and first.stdout == again.stdout
    steps = json.loads(first.stdout)["steps"]
    assert all(s["how"] == "sampled" and 0 <= s["draw"] < 1 for s in steps)
    cold = cli("generate", "seed.npz", "--prompt", "I", "--strategy", "sample", "--temperature", "0", cwd=work)
    assert cold.stdout == "I love deep learning </s>\n"


def test_steps_0_writes_the_initialised_model(work, tmp_path):
    r = cli("train", "--preset", "seed", "--steps", "0", "--out", tmp_path / "init.npz", cwd=work)
    assert r.returncode == 0, r.stderr
    model = rc.load(str(tmp_path / "init.npz"))
    assert model.steps_trained == 0 and math.isnan(model.last_loss)
    assert model.params.embedding[0].tolist() == [0.1, 0.3, 0.5]
    for name, value in rc.seed_model().params.as_dict().items():
        np.testing.assert_array_equal(getattr(model.params, name), value)


def test_init_continues_training(work, tmp_path):
    r = cli("train", "--preset", "seed", "--steps", "10", "--out", tmp_path / "a.npz", cwd=work)
    assert r.returncode == 0, r.stderr
    r = cli("train", "--init", tmp_path / "a.npz", "--preset", "seed", "--steps", "50",
            "--out", tmp_path / "b.npz", cwd=work)
    assert r.returncode == 0, r.stderr
    a, b = rc.load(str(tmp_path / "a.npz")), rc.load(str(tmp_path / "b.npz"))
    assert (a.steps_trained, b.steps_trained) == (10, 60)
    assert b.last_loss < a.last_loss
    # without a text option, --init trains on the model's own stored text
    r = cli("train", "--init", tmp_path / "b.npz", "--steps", "5", "--out", tmp_path / "c.npz", cwd=work)
    assert r.returncode == 0, r.stderr
    assert rc.load(str(tmp_path / "c.npz")).steps_trained == 65
    # a text whose tokens the model knows is fine, and becomes the model's stored text
    r = cli("train", "--init", tmp_path / "b.npz", "--text", "learning I love\nI love deep learning",
            "--steps", "3", "--out", tmp_path / "d.npz", cwd=work)
    assert r.returncode == 0, r.stderr
    assert rc.load(str(tmp_path / "d.npz")).corpus_text == "learning I love\nI love deep learning"


def test_corpus_file_and_char_level(work, tmp_path):
    r = cli("train", "--corpus", "good.txt", "--level", "char", "--hidden-size", "8", "--steps", "5",
            "--out", tmp_path / "c.npz", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    model = rc.load(str(tmp_path / "c.npz"))
    assert model.level == "char" and model.corpus_name == "good.txt"
    assert model.vocab.tokens[:3] == ("I", " ", "l")
    g = cli("generate", tmp_path / "c.npz", "--prompt", "I l", "--max-tokens", "7", "--json", cwd=work)
    assert g.returncode == 0, g.stderr
    assert len(json.loads(g.stdout)["steps"]) <= 2 + 7


def test_a_diverged_run_writes_the_last_finite_weights_and_exits_3(work, tmp_path):
    out = tmp_path / "d.npz"
    r = cli("train", "--preset", "seed", "--optimizer", "sgd", "--lr", "10", "--out", out, "--json", cwd=work)
    assert r.returncode == 3
    assert "Traceback" not in r.stderr
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("warning: training diverged")
    summary = json.loads(r.stdout)
    assert summary["status"] == "diverged"
    model = rc.load(str(out))  # loads, so every weight is finite
    assert model.steps_trained == summary["steps"] < 60


TRAIN_REFUSALS = [
    (["--text", ""], ["empty"]),
    (["--text", "   \n\t "], ["empty"]),
    (["--text", "hello"], ["single"]),
    (["--corpus", "latin1.txt"], ["UTF-8"]),
    (["--corpus", "big.txt"], ["limit"]),
    (["--corpus", "missing.txt"], ["missing.txt"]),
    (["--corpus", "."], ["cannot read"]),
    (["--preset", "seed", "--hidden-size", "0"], ["hidden size"]),
    (["--preset", "seed", "--hidden-size", "100000"], ["hidden size"]),
    (["--preset", "seed", "--embed-dim", "-1"], ["embedding size"]),
    (["--preset", "seed", "--steps", "-1"], ["steps"]),
    (["--preset", "seed", "--steps", "999999999"], ["steps"]),
    (["--preset", "seed", "--lr", "-0.1"], ["learning rate"]),
    (["--preset", "seed", "--lr", "nan"], ["learning rate"]),
    (["--preset", "seed", "--batch-size", "0"], ["batch size"]),
    (["--preset", "seed", "--seq-len", "0"], ["sequence length"]),
    (["--preset", "seed", "--clip", "-1"], ["clip"]),
    (["--preset", "seed", "--seed", "-1"], ["seed"]),
    (["--preset", "seed", "--optimizer", "rmsprop"], ["--optimizer"]),
    (["--preset", "seed", "--dtype", "float16"], ["--dtype"]),
    (["--preset", "seed", "--hidden-size", "three"], ["--hidden-size"]),
    (["--preset", "seed", "--text", "a b"], ["not allowed"]),
    (["--preset", "seed", "--level", "char"], ["char"]),
    (["--preset", "seed", "--bogus"], ["--bogus"]),
    ([], ["--preset"]),
    (["--init", "seed.npz", "--text", "I love cats"], ["'cats'", "cover"]),
    (["--init", "seed.npz", "--preset", "seed", "--hidden-size", "4"], ["--hidden-size"]),
    (["--init", "seed.npz", "--preset", "seed", "--level", "char"], ["level"]),
    (["--init", "missing.npz", "--preset", "seed"], ["cannot read", "missing.npz"]),
    (["--init", "garbage.npz", "--preset", "seed"], ["not a model file"]),
    (["--init", "pickled.npz", "--preset", "seed"], ["not a model file"]),
]


@pytest.mark.parametrize("args, words", TRAIN_REFUSALS, ids=[" ".join(a) or "no-source" for a, _ in TRAIN_REFUSALS])
def test_train_refuses_bad_input_and_changes_nothing(work, args, words):
    before = snapshot(work)  # includes existing.npz: same bytes, same mtime, and no new files
    assert_refused(cli("train", *args, "--out", "existing.npz", cwd=work), *words)
    assert snapshot(work) == before


@pytest.mark.parametrize("args", [["--text", "hello"], ["--preset", "seed", "--lr", "-1"],
                                  ["--init", "seed.npz", "--text", "I love cats"]])
def test_train_refusal_creates_no_out_file(work, args):
    before = snapshot(work)
    assert_refused(cli("train", *args, "--out", "new.npz", cwd=work))
    assert not (work / "new.npz").exists() and snapshot(work) == before


@pytest.mark.parametrize("out, words", [
    ("no-such-folder/m.npz", ["does not exist"]),
    (".", ["directory"]),
    (None, ["--out"]),
])
def test_train_refuses_an_unusable_out(work, out, words):
    before = snapshot(work)
    args = ["--out", out] if out else []
    assert_refused(cli("train", "--preset", "seed", *args, cwd=work), *words)
    assert snapshot(work) == before
    assert not (work / "no-such-folder").exists()


GENERATE_REFUSALS = [
    (["seed.npz", "--prompt", "I lov"], ["'lov'", "love"]),
    (["seed.npz", "--prompt", "you"], ["'you'", "closest known"]),
    (["seed.npz", "--prompt", ""], ["empty"]),
    (["seed.npz", "--prompt", "   "], ["empty"]),
    (["seed.npz", "--prompt", "I", "--top-p", "0"], ["top-p"]),
    (["seed.npz", "--prompt", "I", "--top-p", "1.5"], ["top-p"]),
    (["seed.npz", "--prompt", "I", "--top-k", "0"], ["top-k"]),
    (["seed.npz", "--prompt", "I", "--top-k", "-1"], ["top-k"]),
    (["seed.npz", "--prompt", "I", "--temperature", "-1"], ["temperature"]),
    (["seed.npz", "--prompt", "I", "--temperature", "inf"], ["temperature"]),
    (["seed.npz", "--prompt", "I", "--max-tokens", "0"], ["max tokens"]),
    (["seed.npz", "--prompt", "I", "--max-tokens", "99999999"], ["max tokens"]),
    (["seed.npz", "--prompt", "I", "--seed", "-1"], ["seed"]),
    (["seed.npz", "--prompt", "I", "--strategy", "nucleus"], ["--strategy"]),
    (["seed.npz", "--prompt", "I", "--temperature", "5.5"], ["temperature", "from 0 to 5"]),
    (["seed.npz", "--prompt", "I", "--top-k", "6"], ["top-k", "vocabulary size 5"]),
    (["seed.npz", "--prompt", "I", "--min-p", "-0.1"], ["min-p", "from 0 to 1"]),
    (["seed.npz", "--prompt", "I", "--min-p", "1.5"], ["min-p", "from 0 to 1"]),
    (["seed.npz", "--prompt", "I", "--min-p", "abc"], ["--min-p"]),
    (["seed.npz", "--prompt", "I", "--typical-p", "0"], ["typical-p", "from 0.01 to 1"]),
    (["seed.npz", "--prompt", "I", "--typical-p", "1.01"], ["typical-p", "from 0.01 to 1"]),
    (["seed.npz", "--prompt", "I", "--repetition-penalty", "0.5"], ["repetition penalty", "from 1 to 5"]),
    (["seed.npz", "--prompt", "I", "--repetition-penalty", "nan"], ["repetition penalty", "from 1 to 5"]),
    (["seed.npz", "--prompt", "I", "--repetition-penalty", "6"], ["repetition penalty", "from 1 to 5"]),
    (["seed.npz", "--prompt", "I", "--max-tokens", "501"], ["max tokens", "from 1 to 500"]),
    (["seed.npz", "--prompt", " ".join(["I"] * 501)], ["501 tokens", "500"]),
    (["seed.npz"], ["--prompt"]),
    (["missing.npz", "--prompt", "I"], ["cannot read", "missing.npz"]),
    ([".", "--prompt", "I"], ["cannot read"]),
    (["garbage.npz", "--prompt", "I"], ["not a model file"]),
    (["pickled.npz", "--prompt", "I"], ["not a model file"]),
    (["nan.npz", "--prompt", "I"], ["'W_h'", "non-finite"]),
    (["latin1.txt", "--prompt", "I"], ["not a model file"]),
]


@pytest.mark.parametrize("args, words", GENERATE_REFUSALS, ids=[" ".join(a) for a, _ in GENERATE_REFUSALS])
def test_generate_refuses_bad_input(work, args, words):
    before = snapshot(work)
    assert_refused(cli("generate", *args, cwd=work), *words)
    assert snapshot(work) == before


def test_no_command_is_one_line_too(work):
    assert_refused(cli(cwd=work), "train,generate")


def test_train_options_are_the_settings_table(work):
    """Every training setting is a train option with rnn_core's choices and help text."""
    parser = build_parser()
    train_parser = next(a for a in parser._actions if a.dest == "command").choices["train"]
    options = {a.option_strings[0]: a for a in train_parser._actions if a.option_strings}
    for setting in SETTINGS:
        option = options[setting.flag]
        assert tuple(option.choices or ()) == setting.choices
        assert option_help(setting) in option.help and str(setting.default) in option.help
        assert option.default is None  # not given: TrainConfig's default (or the --init model's value)


def saved_dtype(path) -> str:
    model = rc.load(str(path))
    assert model.params.W_h.dtype.name == model.config.dtype
    return model.config.dtype


def test_dtype_defaults_to_the_auto_rule_and_can_be_chosen(work, tmp_path):
    text = "the cat sat on the mat\n" * 20
    runs = {
        "seed": (["--preset", "seed"], "float64"),
        "char": (["--text", text, "--level", "char"], "float32"),
        "char64": (["--text", text, "--level", "char", "--dtype", "float64"], "float64"),
        "seed32": (["--preset", "seed", "--dtype", "float32"], "float32"),
    }
    for name, (args, dtype) in runs.items():
        r = cli("train", *args, "--steps", "3", "--out", tmp_path / f"{name}.npz", cwd=work)
        assert r.returncode == 0, r.stderr
        assert saved_dtype(tmp_path / f"{name}.npz") == dtype, name
        assert f"3 steps in {dtype}" in r.stdout


def test_init_keeps_the_models_precision_unless_dtype_is_given(work, tmp_path):
    r = cli("train", "--init", "seed.npz", "--steps", "2", "--out", tmp_path / "same.npz", cwd=work)
    assert r.returncode == 0, r.stderr
    assert saved_dtype(tmp_path / "same.npz") == "float64"
    r = cli("train", "--init", "seed.npz", "--steps", "2", "--dtype", "float32", "--out", tmp_path / "f32.npz",
            cwd=work)
    assert r.returncode == 0, r.stderr
    model = rc.load(str(tmp_path / "f32.npz"))
    assert saved_dtype(tmp_path / "f32.npz") == "float32" and model.steps_trained == 62


def test_a_run_too_large_for_memory_is_refused_naming_what_fits(work, tmp_path):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(5_000)]
    (tmp_path / "wide.txt").write_text("\n".join(" ".join(rng.choice(words, 128)) for _ in range(128)))
    before = snapshot(work)
    r = cli("train", "--corpus", tmp_path / "wide.txt", "--batch-size", "128", "--seq-len", "128",
            "--out", "existing.npz", cwd=work)
    assert_refused(r, "memory", "batch size of at most", "sequence length of at most")
    assert snapshot(work) == before


def test_running_out_of_memory_is_one_error_line_and_writes_nothing(monkeypatch, capsys, tmp_path):
    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(cli_module, "record_training", exhausted)
    status = cli_module.main(["train", "--preset", "seed", "--out", str(tmp_path / "m.npz")])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: not enough memory")
    assert "--batch-size" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_help_documents_the_exit_statuses(work):
    r = cli("train", "--help", cwd=work)
    assert r.returncode == 0
    assert "exit status" in r.stdout and "3 training diverged" in " ".join(r.stdout.split())


def test_a_tiny_temperature_samples_the_argmax_without_warnings(work):
    r = cli("generate", "seed.npz", "--prompt", "I", "--temperature", "1e-310", "--seed", "4", "--json", cwd=work)
    assert r.returncode == 0 and r.stderr == ""  # no numpy overflow warning either
    steps = json.loads(r.stdout)["steps"]
    for s in steps:
        o = s["logits"]
        top = max(range(len(o)), key=lambda v: o[v])  # the seed model's logits have no ties
        assert s["how"] == "sampled"
        assert s["q"] == [1.0 if v == top else 0.0 for v in range(len(o))]
        assert s["token"] == json.loads(r.stdout)["vocab"][top]
    greedy = cli("generate", "seed.npz", "--prompt", "I", cwd=work)
    assert json.loads(r.stdout)["text"] + "\n" == greedy.stdout


def test_end_of_sentence_can_be_the_prompt(work):
    r = cli("generate", "seed.npz", "--prompt", "</s>", "--max-tokens", "3", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["steps"][0]["input"] == "</s>" and doc["text"].startswith("</s> ")
    assert len(doc["steps"]) == 3 and doc["steps"][0]["how"] == "greedy"


def test_json_carries_what_each_filter_kept(work):
    r = cli("generate", "seed.npz", "--prompt", "I", "--top-k", "3", "--top-p", "0.95", "--seed", "2", "--json",
            cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    vocab = doc["vocab"]
    for s in doc["steps"]:
        top_k, top_p = s["stages"]
        assert (top_k["filter"], top_p["filter"]) == ("top-k", "top-p")
        # top-k by hand: the 3 largest logits; top-p: the 3 renormalised, most probable first, to 0.95
        by_p = sorted(range(len(vocab)), key=lambda v: -s["probs"][v])[:3]
        assert top_k["kept"] == [vocab[v] for v in sorted(by_p)]
        mass = sum(s["probs"][v] for v in by_p)
        n = next(i for i in range(1, 4) if sum(s["probs"][v] for v in by_p[:i]) / mass >= 0.95)
        assert top_p["kept"] == [vocab[v] for v in sorted(by_p[:n])]
        assert s["kept"] == top_p["kept"]
        assert s["penalised"] == []
    greedy = json.loads(cli("generate", "seed.npz", "--prompt", "I", "--json", cwd=work).stdout)
    assert all(s["stages"] == [] and s["kept"] == vocab for s in greedy["steps"])


def test_repetition_penalty_alone_stays_greedy_and_lists_the_context(work):
    r = cli("generate", "seed.npz", "--prompt", "I love", "--repetition-penalty", "1.5", "--json", cwd=work)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    vocab, steps = doc["vocab"], doc["steps"]
    assert [s["how"] for s in steps] == ["prompt"] + ["greedy"] * (len(steps) - 1)
    for s in steps[1:]:
        context = {t["input"] for t in steps[: s["t"]]}  # every token fed in up to this step
        assert sorted(s["penalised"]) == sorted(context)
        o = [(z / 1.5 if z > 0 else z * 1.5) if vocab[v] in context else z for v, z in enumerate(s["logits"])]
        e = [math.exp(z - max(o)) for z in o]
        np.testing.assert_allclose(s["q"], [z / sum(e) for z in e], rtol=1e-12)
        assert s["token"] == vocab[max(range(len(o)), key=lambda v: o[v])]


def test_generate_help_documents_the_order_and_the_ranges(work):
    r = cli("generate", "--help", cwd=work)
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    order = ["1. --repetition-penalty", "2. --temperature", "3. --top-k", "4. --top-p", "5. --min-p", "6. --typical-p"]
    positions = [text.index(step) for step in order]
    assert positions == sorted(positions)
    assert "top-p measures mass within the top-k set" in text
    for limit in (rc.limits.TEMPERATURE, rc.limits.MIN_P, rc.limits.MAX_TOKENS, rc.limits.SEED):
        assert limit.range_text() in text


def test_generate_defaults_come_from_the_limits():
    args = build_parser().parse_args(["generate", "m.npz", "--prompt", "I"])
    assert args.seed == rc.limits.SEED.default
    assert args.max_tokens is None  # the model's level decides: limits.default_max_tokens


def test_a_trained_model_file_keeps_its_training_history(tmp_path):
    """The losses of every step and snapshots of the weights go into the file (the app replays them)."""
    out = tmp_path / "seed.npz"
    r = cli("train", "--preset", "seed", "--steps", "30", "--out", str(out), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    model = rc.load(str(out))
    assert len(model.history.losses) == 30
    assert model.history.steps[0] == 0  # the initial weights are the first snapshot
    np.testing.assert_array_equal(model.history.snapshots[0].embedding[0], [0.1, 0.3, 0.5])


def test_preset_starts_from_the_seed_documents_x_for_I_and_a_text_does_not(work, tmp_path):
    """--preset seed and the Train page's seed corpus share one start-model rule (rc.training.start_model)."""
    for args, name in ((["--preset", "seed"], "preset.npz"), (["--text", "I love deep learning"], "text.npz")):
        r = cli("train", *args, "--steps", "0", "--out", tmp_path / name, cwd=work)
        assert r.returncode == 0, r.stderr
    preset, text = rc.load(str(tmp_path / "preset.npz")), rc.load(str(tmp_path / "text.npz"))
    assert preset.params.embedding[preset.vocab.id("I")].tolist() == [0.1, 0.3, 0.5]
    assert text.params.embedding[text.vocab.id("I")].tolist() != [0.1, 0.3, 0.5]
