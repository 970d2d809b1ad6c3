"""Bytes the Generate page keeps in one session, and the CPU each of its runs costs, for a model
with a large vocabulary.

Runs pages/generate.py under AppTest with an untrained word model of V tokens (default 20,000,
the vocabulary limit; ``</s>`` made unlikely so every sample runs to max tokens, the worst case),
sets the number of samples and max tokens, then opens every view in turn. After each run it
prints the CPU seconds the run took (this process's, so the page's work and AppTest's own) and
what the session holds: every object reachable from ``st.session_state``
(``trace_bytes.reachable_bytes``), leaving out the model itself. A run past the page's work bound
(``generate_state.MAX_WORK``) is refused: its message is printed instead. The largest count over
the views is the session's bound at those settings.

    .venv/bin/python benchmarks/generate_session.py [--vocab 20000]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import streamlit.testing.v1.app_test as app_test_module  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from trace_bytes import model_objects, reachable_bytes  # noqa: E402

import rnn_core as rc  # noqa: E402
from ui.common.pages_mode import RunningServerPages  # noqa: E402
from ui.generate import keys as generate_keys
from ui.generate import state as generate_state  # noqa: E402

VIEWS = ("Samples", "Inside one sample", "Rules side by side", "Draws vs theory", "Influence", "Tree", "Beam")
SLOTS = (generate_keys.RUN, generate_keys.COMPARE, generate_keys.INSPECTED, generate_keys.VIEW_RESULT)


def big_model(V: int) -> rc.Model:
    words = " ".join(f"w{i}" for i in range(V - 1))
    model = rc.new_model(rc.make_corpus(words, "word"), rc.TrainConfig(hidden_size=16, embed_dim=16))
    model.params.b_y[model.vocab.id(rc.EOS)] = -1e3  # no sample stops early
    return model


def session_bytes(at: AppTest, model: rc.Model) -> dict[str, int]:
    """Bytes reachable from each session key (shared objects counted once, in key order)."""
    seen = model_objects(model) | {id(model)}
    state = at.session_state._state  # the SafeSessionState; filtered_state: the user's keys, not widget ids
    return {key: reachable_bytes(value, seen) for key, value in sorted(state.filtered_state.items())
            if key != "model"}


def shown(markdown: str) -> str:
    """A message as the page shows it: without ui.common.text.md_literal's backslash escapes."""
    return re.sub(r"\\([^\w\s])", r"\1", markdown)


def visit(model: rc.Model, max_tokens: int, n: int, views=VIEWS) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    for key, value in {"model": model, "model_check": (False, ""), "model_version": 1}.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("pages/generate.py").run()
    print(f"\nmax tokens {max_tokens}, {n} samples: CPU seconds of each run, bytes kept in the session after it")
    print(f"  {'run':<26}{'CPU s':>7}{'total':>14}  " + "  ".join(f"{s:>16}" for s in SLOTS))
    at.number_input(key=generate_keys.MAX_TOKENS.format(level=model.level)).set_value(max_tokens)
    steps = [("settings (Samples view)", lambda: at.slider(key=generate_keys.N).set_value(n).run())]
    steps += [(view,
               lambda view=view: at.segmented_control(key=generate_keys.VIEW).set_value(view).run()) for view in views]
    for name, act in steps:
        t0 = time.process_time()
        act()
        seconds = time.process_time() - t0
        assert not at.exception, at.exception
        sizes = session_bytes(at, model)
        print(f"  {name:<26}{seconds:>7.1f}{sum(sizes.values()):>14,}  "
              + "  ".join(f"{sizes.get(s, 0):>16,}" for s in SLOTS))
        for error in at.error:
            print(f"  {'':<26}refused: {shown(error.value)[:200]}…")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=20_000, help="V, tokens in the vocabulary (</s> included)")
    args = parser.parse_args()
    app_test_module.PagesManager = RunningServerPages  # as tests/app/conftest.py does
    model = big_model(args.vocab)
    print(f"V = {len(model.vocab):,}, H = 16, {model.params.W_y.dtype}; the page computes at most "
          f"{generate_state.MAX_WORK:,} probabilities a run and keeps the full traces of "
          f"{generate_state.inspectable_steps(model)} steps of the inspected sample")
    visit(model, rc.limits.MAX_TOKENS.default, 10)
    visit(model, rc.limits.MAX_TOKENS.high, 10)
    visit(model, rc.limits.MAX_TOKENS.high, generate_state.MAX_SAMPLES)


if __name__ == "__main__":
    main()
