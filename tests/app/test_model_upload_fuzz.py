"""Hostile model files (tests/model_file_cases.py) uploaded on the Train page while the current
model is the seed: each leaves the model as it was, and an st.error names the field; the page
never shows an exception and still draws its uploader."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.app.conftest import shown
from tests.model_file_cases import CASES

APP = str(Path(__file__).resolve().parents[2] / "app.py")
UPLOADER = "train_npz_file"


def test_each_hostile_file_uploaded_leaves_the_seed_model_and_names_its_field():
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("pages/train.py").run()
    seed, version = at.session_state["model"], at.session_state["model_version"]
    assert seed.corpus_name == "I love deep learning"  # the built-in preset
    for case in CASES:
        at.file_uploader(key=UPLOADER).set_value((f"{case.name}.npz", case.data(), "application/octet-stream")).run()
        assert not at.exception, (case.name, at.exception)
        assert at.session_state["model"] is seed and at.session_state["model_version"] == version, case.name
        errors = [shown(e.value) for e in at.error]
        named = [e for e in errors if "Could not load" in e and f"{case.name}.npz" in e and case.words[0] in e]
        assert named, (case.name, errors)
        assert at.file_uploader(key=UPLOADER) is not None
