"""Downloads of one inspected sample: its trace as CSV and as JSON, with the model and the
settings in both and in the file names, so files from different runs never overwrite each other.

No Streamlit here; the page hands these builders to ``st.download_button`` as callables, so a
file is built only when clicked.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

import rnn_core as rc
from ui.common.text import slug
from ui.generate.state import Settings

MAX_CORPUS = 40  # characters of the corpus name in a file name


def settings_dict(model: rc.Model, s: Settings, sample: int) -> dict:
    """The model and the settings one sample was generated with, as plain JSON values."""
    V, E, H = model.params.sizes
    r = s.rule
    return {
        "model": {"corpus": model.corpus_name, "level": model.level, "V": V, "E": E, "H": H,
                  "steps_trained": model.steps_trained, "weights_after_step": s.weights},
        "prompt": s.prompt, "max_tokens": s.max_tokens, "seed": s.seed, "sample": sample,
        "rule": {"strategy": "greedy" if r.is_greedy else "sample", "temperature": r.temperature,
                 "top_k": r.top_k, "top_p": r.top_p, "min_p": r.min_p, "typical_p": r.typical_p,
                 "repetition_penalty": r.repetition_penalty, "describe": r.describe()},
    }


def trace_frame(traces: list[rc.StepTrace], vocab: tuple[str, ...], settings: dict) -> pd.DataFrame:
    """One row per step. The run's columns first (model, weights step, rule and its knobs, seed,
    sample), then t, input, chosen, how, p = y_t(chosen), q = q_t(chosen), rank, u (the draw of a
    sampled step), h[i] for every hidden unit, y(token) and q(token) for every token (the
    prefixes keep a token such as 't' or 'p' from clashing with a column)."""
    rule, T = settings["rule"], len(traces)
    run = {"model": settings["model"]["corpus"], "weights after step": settings["model"]["weights_after_step"],
           "rule": rule["strategy"], "T": rule["temperature"], "top-k": rule["top_k"], "top-p": rule["top_p"],
           "min-p": rule["min_p"], "typical-p": rule["typical_p"], "repetition penalty": rule["repetition_penalty"],
           "seed": settings["seed"], "sample": settings["sample"]}
    head = pd.DataFrame({**{k: [v] * T for k, v in run.items()},
                         "t": [tr.t for tr in traces], "input": [tr.input for tr in traces],
                         "chosen": [tr.token for tr in traces], "how": [tr.how for tr in traces],
                         "p": [tr.p_token for tr in traces], "q": [tr.q_token for tr in traces],
                         "rank": [tr.rank for tr in traces],
                         "u": [np.nan if tr.draw is None else tr.draw for tr in traces]})
    h = np.array([tr.h for tr in traces])  # (T, H)
    y = np.array([tr.probs for tr in traces])  # (T, V)
    q = np.array([tr.q for tr in traces])  # (T, V)
    return pd.concat([head, pd.DataFrame(h, columns=[f"h[{i}]" for i in range(h.shape[1])]),
                      pd.DataFrame(y, columns=[f"y({v})" for v in vocab]),
                      pd.DataFrame(q, columns=[f"q({v})" for v in vocab])], axis=1)


def trace_csv(traces: list[rc.StepTrace], vocab: tuple[str, ...], settings: dict) -> str:
    """``trace_frame`` as CSV; floats written with 17 significant digits so they read back exactly."""
    out = io.StringIO()
    trace_frame(traces, vocab, settings).to_csv(out, index=False, float_format="%.17g")
    return out.getvalue()


def trace_json(model: rc.Model, traces: list[rc.StepTrace], settings: dict) -> str:
    """The CLI's ``generate --json`` document ({"vocab", "text", "steps"}) with "settings"."""
    return json.dumps({**rc.decoding.traces_json(model, traces), "settings": settings}, ensure_ascii=False,
                      allow_nan=False)


def file_name(settings: dict, ext: str) -> str:
    """'I-love-deep-learning_step60_sample-T=1_seed0_sample3.csv': model, weights, rule,
    seed and sample, so downloads from different runs get different names."""
    m = settings["model"]
    parts = [slug(m["corpus"], MAX_CORPUS) or "model", f"step{m['weights_after_step']}",
             slug(settings["rule"]["describe"]), f"seed{settings['seed']}", f"sample{settings['sample']}"]
    return "_".join(parts) + f".{ext}"
