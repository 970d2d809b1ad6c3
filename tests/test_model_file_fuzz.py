"""Hostile model files (tests/model_file_cases.py) through the loader and the CLI: each is
refused with a ModelFileError naming its field (the CLI: one 'error:' line, exit 2, nothing
written), and no value in any field gets past the loader into a model that fails later."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from model_file_cases import CASES, base_bytes, hostile_files

import rnn_core as rc
import rnn_core.cli as cli_module

ROOT = Path(__file__).resolve().parents[1]
ISSUE_CASES = [case for case in CASES[:7]]  # the bug report's own: also run as real processes


def refusal(data: bytes) -> str:
    with pytest.raises(rc.ModelFileError) as refused:
        rc.from_bytes(data)
    return str(refused.value)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case_is_refused_with_a_message_naming_its_field(case, tmp_path):
    message = refusal(case.data())
    for word in case.words:
        assert word in message, message
    message.encode("utf-8")  # the message itself is text a page can show
    path = tmp_path / "bad.npz"
    path.write_bytes(case.data())
    with pytest.raises(rc.ModelFileError) as refused:
        rc.load(str(path))
    assert str(refused.value) == message


def usable(model: rc.Model) -> None:
    """Everything a page or the CLI does with a loaded model's fields works."""
    for text in (model.corpus_name, model.corpus_text, *model.vocab.tokens):
        text.encode("utf-8")
    assert 0 <= model.steps_trained < 2**63 and rc.from_bytes(rc.to_bytes(model)).steps_trained == model.steps_trained
    rc.generate(model, model.first_word(), max_tokens=3)


def test_every_field_with_every_hostile_value_is_refused_or_loads_a_usable_model():
    refused = loaded = 0
    for field, name, data in hostile_files():
        try:
            model = rc.from_bytes(data)
        except rc.ModelFileError as e:
            str(e).encode("utf-8")
            refused += 1
            continue
        loaded += 1
        try:
            usable(model)
        except Exception as e:  # noqa: BLE001 - the test names what got through
            pytest.fail(f"{field} = {name}: loaded, then {type(e).__name__}: {e}")
    assert refused > 0.9 * (refused + loaded)  # nearly every value is wrong for nearly every field


def run_cli(capsys, *args) -> tuple[int, str, str]:
    status = cli_module.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_cli_refuses_each_case_and_writes_nothing(case, tmp_path, capsys):
    bad, out = tmp_path / "bad.npz", tmp_path / "out.npz"
    bad.write_bytes(case.data())
    prompt = "h" if case.level == "char" else "I"
    for args in (["generate", bad, "--prompt", prompt], ["train", "--init", bad, "--steps", "1", "--out", out]):
        status, stdout, stderr = run_cli(capsys, *args)
        assert status == 2 and stdout == "", stderr
        (line,) = stderr.splitlines()
        assert line.startswith("error: ") and case.words[0] in line, line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz"]


@pytest.mark.parametrize("case", ISSUE_CASES, ids=[c.name for c in ISSUE_CASES])
def test_the_cli_as_a_process_refuses_the_reported_files_without_a_traceback(case, tmp_path):
    (tmp_path / "bad.npz").write_bytes(case.data())
    prompt = "h" if case.level == "char" else "I"
    for args in (["generate", "bad.npz", "--prompt", prompt], ["train", "--init", "bad.npz", "--out", "out.npz"]):
        r = subprocess.run([sys.executable, "-m", "rnn_core", *args], cwd=tmp_path, capture_output=True, text=True,
                           env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=120)
        assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr, r.stderr
        assert len(r.stderr.splitlines()) == 1 and case.words[0] in r.stderr
    assert not (tmp_path / "out.npz").exists()


def test_the_base_files_load():
    """The cases change one field of files that load: the refusal is that field's."""
    for level in ("word", "char"):
        model = rc.from_bytes(base_bytes(level))
        assert model.level == level and len(model.history.losses) == model.steps_trained == 20
        usable(model)
