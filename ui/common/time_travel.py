"""Training time-travel: generate with the weights the model had after training step k.

The model's history (``Model.checkpoints``) keeps a few snapshots of its weights through
training. Replaying the same samples (same seed, same sample numbers, so the same random numbers
u_t) with an earlier snapshot shows what training changed: at step 0 y_t is nearly flat and the
samples are noise; later they sharpen into the training text.
"""

from __future__ import annotations

import streamlit as st

import rnn_core as rc


def why_no_slider(model: rc.Model) -> str:
    """Why a model offers no earlier weights to replay."""
    if model.steps_trained == 0:
        return ("This model is untrained: its weights are the random initial ones, so there is no training "
                "to replay.")
    if model.history is None:
        return ("This model carries no training history (it was trained without recording one, or loaded from "
                "a file without snapshots), so there are no earlier weights to replay. Models trained on the "
                "Train page keep theirs.")
    return ("This model's history keeps no earlier weights: a model this large keeps no snapshots, "
            "so there is nothing to replay.")


def kept_steps(model: rc.Model) -> list[int]:
    """The training steps whose weights the model keeps, oldest first, its own (current) last."""
    return [step for step, _ in model.checkpoints()]


def choose_weights(where, steps: list[int], *, key: str, value: int, replays: str, **widget) -> int:
    """The "weights after training step k" select slider over ``steps``, drawn in ``where``;
    ``replays`` names what the chosen weights replay ("samples", "walk")."""
    return where.select_slider("Weights after training step", steps, value=value, key=key,
                               help=f"Replay the same {replays} with the weights the model had after this many "
                                    "training steps (step 0: the random initial weights).", **widget)


def weights_slider(model: rc.Model, *, key: str) -> tuple[rc.Model, int]:
    """A "weights after training step k" slider over the model's checkpoints (its current weights
    last, chosen at first); returns the model with those weights and k. Without earlier weights,
    a caption says why and the model is returned as it is."""
    steps = kept_steps(model)
    if len(steps) < 2:
        st.caption(f"Training time-travel: {why_no_slider(model)}")
        return model, model.steps_trained
    c1, c2 = st.columns([2, 3], vertical_alignment="center")
    step = choose_weights(c1, steps, key=key, value=steps[-1], replays="samples", persist_state="session")
    c2.caption(f"Training time-travel: {len(steps)} snapshots of the weights, from step {steps[0]:,} to "
               f"{steps[-1]:,}. Every sample meets the same random numbers u_t at every step, so what "
               "changes is the weights alone: at step 0 y_t is nearly flat, then it sharpens.")
    return model.at_checkpoint(step), step
