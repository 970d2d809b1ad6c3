"""Bytes the Generate page keeps in one session, for a model with a large vocabulary.

Runs pages/generate.py under AppTest with an untrained word model of V tokens (default 20,000,
the vocabulary limit; ``</s>`` made unlikely so every sample runs to max tokens, the worst case),
opens every view in turn and counts what the session holds after each: every object reachable
from ``st.session_state`` (``trace_bytes.reachable_bytes``), leaving out the model itself. The
largest count over the views is the session's bound at those settings. Deterministic: a count,
not a timing (the script also prints how long each view took, which is noisy).

    .venv/bin/python benchmarks/generate_session.py [--vocab 20000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
import rnn_core as rc  # noqa: E402
import streamlit.testing.v1.app_test as app_test_module  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from trace_bytes import model_objects, reachable_bytes  # noqa: E402
from ui import generate_state as gs  # noqa: E402
from ui.pages_mode import RunningServerPages  # noqa: E402

VIEWS = ("Samples", "Inside one sample", "Rules side by side", "Draws vs theory", "Influence", "Tree", "Beam")
SLOTS = (gs.RUN, gs.COMPARE, gs.INSPECTED, gs.VIEW_RESULT)


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


def visit(model: rc.Model, max_tokens: int, n: int, views=VIEWS) -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    for key, value in {"model": model, "model_check": (False, ""), "model_version": 1}.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("pages/generate.py").run()
    at.number_input(key=gs.MAX_TOKENS).set_value(max_tokens)
    at.slider(key=gs.N).set_value(n).run()
    print(f"\nmax tokens {max_tokens}, {n} samples: bytes kept in the session after each view")
    print(f"  {'view':<20}{'total':>14}  " + "  ".join(f"{s:>16}" for s in SLOTS) + "   seconds")
    for view in views:
        t0 = time.perf_counter()
        at.segmented_control(key=gs.VIEW).set_value(view).run()
        seconds = time.perf_counter() - t0
        assert not at.exception, at.exception
        sizes = session_bytes(at, model)
        print(f"  {view:<20}{sum(sizes.values()):>14,}  " + "  ".join(f"{sizes.get(s, 0):>16,}" for s in SLOTS)
              + f"   {seconds:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab", type=int, default=20_000, help="V, tokens in the vocabulary (</s> included)")
    parser.add_argument("--long-tree", action="store_true",
                        help="also sample the tree at max tokens 500 (200 x 500 steps: minutes at V = 20,000; "
                             "what it keeps is capped at 12 tokens deep anyway)")
    args = parser.parse_args()
    app_test_module.PagesManager = RunningServerPages  # as tests/app/conftest.py does
    model = big_model(args.vocab)
    print(f"V = {len(model.vocab):,}, H = 16, {model.params.W_y.dtype}")
    visit(model, rc.limits.MAX_TOKENS.default, 10)
    long_views = VIEWS if args.long_tree else tuple(v for v in VIEWS if v != "Tree")
    visit(model, rc.limits.MAX_TOKENS.high, 10, long_views)
    visit(model, rc.limits.MAX_TOKENS.high, gs.MAX_SAMPLES, long_views)


if __name__ == "__main__":
    main()
