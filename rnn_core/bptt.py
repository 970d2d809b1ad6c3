"""Loss and gradients of a batch of sequences: forward over time, backprop through time.

Time-major and batched: token ids X, Y and mask are (T, B); hidden states (T+1, B, H).
Everything that does not depend on h_{t-1} (embedding look-up, W_x x_t, the output layer,
softmax, and the weight gradients) is done for all T*B positions in one matrix product, so the
only Python loop is the recurrence itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import Params
from .step import softmax


@dataclass(frozen=True)
class SeqForward:
    """What the backward pass reads from the forward pass (named, not an anonymous cache)."""

    X: np.ndarray  # (T, B) input ids
    xs: np.ndarray  # (T, B, E) embeddings
    hs: np.ndarray  # (T+1, B, H) hs[0] = h_0, hs[t] = h_t
    probs: np.ndarray  # (T, B, V) y_t


def forward_seq(params: Params, X: np.ndarray, h0: np.ndarray) -> SeqForward:
    """Run the RNN over X (T, B) from h0 (B, H)."""
    T, B = X.shape
    xs = params.embedding[X]  # (T, B, E)
    pre = xs @ params.W_x.T + params.b_h  # (T, B, H): W_x x_t + b_h for every t at once
    hs = np.empty((T + 1, B, params.W_h.shape[0]), params.W_h.dtype)
    hs[0] = h0
    W_hT = params.W_h.T
    for t in range(T):
        np.tanh(pre[t] + hs[t] @ W_hT, out=hs[t + 1])
    probs = softmax(hs[1:] @ params.W_y.T + params.b_y)  # (T, B, V)
    return SeqForward(X, xs, hs, probs)


def cross_entropy(fwd: SeqForward, Y: np.ndarray, mask: np.ndarray) -> float:
    """Mean of -log y_t[target] over the positions where mask is 1."""
    p = np.take_along_axis(fwd.probs, Y[..., None], axis=2)[..., 0]  # (T, B)
    return float(-(np.log(np.maximum(p, np.finfo(p.dtype).tiny)) * mask).sum() / mask.sum())


@dataclass(frozen=True)
class Gradients:
    """dLoss/d(each parameter), dLoss/dh_0, and the gradient reaching each time step."""

    params: Params
    dh0: np.ndarray  # (B, H)
    dh_norms: np.ndarray  # (T,) ||dLoss/dh_t|| (mean over the batch): vanishing gradients show here


def backward_seq(params: Params, fwd: SeqForward, Y: np.ndarray, mask: np.ndarray) -> Gradients:
    """Backprop through time for the mean masked cross-entropy; mirrors ``forward_seq``."""
    T, B = Y.shape
    V, E, H = params.sizes
    dO = fwd.probs.copy()  # (T, B, V): d(loss)/d(o_t) = y_t - onehot(target), scaled by the mask
    np.put_along_axis(dO, Y[..., None], np.take_along_axis(dO, Y[..., None], 2) - 1, axis=2)
    dO *= (mask / mask.sum())[..., None].astype(dO.dtype)
    hs = fwd.hs
    dH = dO @ params.W_y  # (T, B, H) from the output layer
    dA = np.empty_like(dH)  # (T, B, H) d(loss)/d(pre-activation)
    dh_norms = np.empty(T)
    dh = np.zeros((B, H), dH.dtype)
    for t in reversed(range(T)):
        dh = dH[t] + dh  # from o_t and from h_{t+1}
        dh_norms[t] = np.linalg.norm(dh, axis=1).mean()
        dA[t] = dh * (1 - hs[t + 1] ** 2)
        dh = dA[t] @ params.W_h
    dA2 = dA.reshape(T * B, H)
    dX = dA2 @ params.W_x  # (T*B, E)
    d_embedding = np.zeros_like(params.embedding)
    np.add.at(d_embedding, fwd.X.reshape(-1), dX)
    grads = Params(
        embedding=d_embedding,
        W_x=dA2.T @ fwd.xs.reshape(T * B, E),
        W_h=dA2.T @ hs[:-1].reshape(T * B, H),
        b_h=dA2.sum(0),
        W_y=dO.reshape(T * B, V).T @ hs[1:].reshape(T * B, H),
        b_y=dO.reshape(T * B, V).sum(0),
    )
    return Gradients(grads, dh, dh_norms)


def loss_and_grads(params: Params, X, Y, mask, h0) -> tuple[float, Gradients, SeqForward]:
    """(mean cross-entropy, gradients, forward pass) for one batch; holds no state."""
    fwd = forward_seq(params, X, h0)
    return cross_entropy(fwd, Y, mask), backward_seq(params, fwd, Y, mask), fwd
