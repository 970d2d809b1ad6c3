"""Loss and gradients of a batch of sequences: forward over time, backprop through time.

Time-major and batched: token ids X, Y and mask are (T, B); hidden states (T+1, B, H).
Everything that does not depend on h_{t-1} (the output layer, softmax, and the weight
gradients) is done for all T*B positions in one matrix product, so the only Python loop is the
recurrence itself. W_x x_t + b_h depends on the token only, so it is computed once per
vocabulary entry (V rows, not T*B) and looked up; in the backward pass the gradients of
embedding, W_x and b_h likewise come from S = sum of dLoss/da_t per input token (V, H). A ``Workspace`` keeps the buffers between calls, so a
training step allocates almost nothing and writes the gradients into one flat vector (laid out
by ``optim.Layout``) that clipping and the optimizer use directly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .optim import Layout
from .params import Params


@dataclass(frozen=True)
class SeqForward:
    """What the backward pass reads from the forward pass (named, not an anonymous cache)."""

    X: np.ndarray  # (T, B) input ids
    hs: np.ndarray  # (T+1, B, H) hs[0] = h_0, hs[t] = h_t
    probs: np.ndarray  # (T, B, V) y_t


@dataclass(frozen=True)
class Gradients:
    """dLoss/d(each parameter), dLoss/dh_0, and the gradient reaching each time step."""

    params: Params
    dh0: np.ndarray  # (B, H)
    dh_norms: np.ndarray  # (T,) ||dLoss/dh_t|| (mean over the batch): vanishing gradients show here


K_BLOCK = 128  # contraction length per matrix product, see ``Workspace.mm``


class _Buffers:
    """Arrays for one batch shape (T, B), allocated once and overwritten by every call."""

    def __init__(self, T: int, B: int, V: int, E: int, H: int, dtype):
        self.hs = np.empty((T + 1, B, H), dtype)
        self.probs = np.empty((T * B, V), dtype)
        self.dO = np.empty((T * B, V), dtype)  # dLoss/do_t
        self.dH = np.empty((T, B, H), dtype)  # dLoss/dh_t, from o_t and (after the loop) h_{t+1}
        self.dA = np.empty((T, B, H), dtype)  # dLoss/d(pre-activation)
        self.tanh_grad = np.empty((T, B, H), dtype)  # 1 - h_t^2
        self.dh = np.empty((B, H), dtype)
        self.tmp = np.empty((B, H), dtype)
        # per-t views, made once: indexing a 3-d array T times per call is measurable at T*B = 4
        self.h, self.dHt, self.dAt, self.tanh_grad_t = list(self.hs), list(self.dH), list(self.dA), list(self.tanh_grad)


class _Targets:
    """Per-batch index arrays: where each target's probability sits, and its loss weight."""

    def __init__(self, X: np.ndarray, Y: np.ndarray, mask: np.ndarray, V: int, dtype):
        TB = Y.size
        self.X = np.ascontiguousarray(X).reshape(-1)
        self.at = np.arange(TB) * V + Y.reshape(-1)  # flat index of y_t[target] in (T*B, V)
        self.w = (mask / mask.sum()).reshape(-1).astype(dtype)  # mean over unmasked targets
        self.w_col = self.w[:, None]
        self.onehot_T = np.zeros((V, TB), dtype)  # onehot^T dA sums the rows of each token
        self.onehot_T[self.X, np.arange(TB)] = 1


class Workspace:
    """Buffers and a flat gradient vector for repeated loss_and_grads on one model size.

    The returned SeqForward and Gradients are views into these buffers, valid until the next
    call. Index arrays of the last batch are reused when the same (unmodified) X, Y and mask
    arrays come again, as they do for a corpus that fits in one batch.
    """

    def __init__(self, V: int, E: int, H: int, dtype):
        self.sizes, self.dtype = (V, E, H), np.dtype(dtype)
        self.layout = Layout(V, E, H)
        self.grad = np.empty(self.layout.size, self.dtype)  # flat dLoss/dtheta
        self.grads = self.layout.views(self.grad)
        self.token_pre = np.empty((V, H), self.dtype)  # row v: W_x embedding[v] + b_h
        self.S = np.empty((V, H), self.dtype)  # row v: sum of dLoss/da_t where x_t is token v
        self._buffers: dict[tuple[int, int], _Buffers] = {}
        self._last = (None, None, None, None)
        self._scratch: dict[tuple[int, ...], np.ndarray] = {}

    @classmethod
    def of(cls, params: Params) -> "Workspace":
        return cls(*params.sizes, params.W_h.dtype)

    def buffers(self, T: int, B: int) -> _Buffers:
        if (T, B) not in self._buffers:
            self._buffers[(T, B)] = _Buffers(T, B, *self.sizes, self.dtype)
        return self._buffers[(T, B)]

    def mm(self, a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out = a @ b for 2-d a (m, K), b (K, n), summed over K in blocks of K_BLOCK.

        Why blocks: the OpenBLAS sgemm/dgemm kernel numpy ships runs 2-3x slower on this kind of
        machine once K passes ~128 (measured: (64, 256) @ (256, 256) at 9 GFLOP/s, two
        K = 128 halves at 25); short products, like all of the seed preset's, take one call.
        """
        K = a.shape[1]
        if K <= K_BLOCK:
            return np.matmul(a, b, out=out)
        tmp = self._scratch.get(out.shape)
        if tmp is None:
            tmp = self._scratch[out.shape] = np.empty(out.shape, self.dtype)
        np.matmul(a[:, :K_BLOCK], b[:K_BLOCK], out=out)
        for k in range(K_BLOCK, K, K_BLOCK):
            np.matmul(a[:, k : k + K_BLOCK], b[k : k + K_BLOCK], out=tmp)
            out += tmp
        return out

    def targets(self, X, Y, mask) -> _Targets:
        last = self._last
        if last[0] is not X or last[1] is not Y or last[2] is not mask:
            last = self._last = (X, Y, mask, _Targets(X, Y, mask, self.sizes[0], self.dtype))
        return last[3]

    def forward(self, params: Params, X: np.ndarray, h0: np.ndarray, tg: _Targets | None = None) -> SeqForward:
        """h_t = tanh(W_x x_t + W_h h_{t-1} + b_h) for t = 1..T, then y_t = softmax(W_y h_t + b_y)."""
        T, B = X.shape
        V, _, H = self.sizes
        buf = self.buffers(T, B)
        X_flat = tg.X if tg is not None else np.ascontiguousarray(X).reshape(-1)
        self.mm(params.embedding, params.W_x.T, self.token_pre)
        self.token_pre += params.b_h
        hs2 = buf.hs.reshape((T + 1) * B, H)
        buf.hs[0] = h0
        self.token_pre.take(X_flat, axis=0, out=hs2[B:])  # W_x x_t + b_h; the loop adds W_h h_{t-1}
        W_hT, h, tmp, mm = params.W_h.T, buf.h, buf.tmp, self.mm
        for t in range(T):
            mm(h[t], W_hT, tmp)
            h[t + 1] += tmp
            np.tanh(h[t + 1], out=h[t + 1])
        P = buf.probs
        self.mm(hs2[B:], params.W_y.T, P)
        P += params.b_y
        # softmax in place on the (T*B, V) buffer; an infinite logit gives nan, which the
        # training loop reads as divergence
        P -= np.maximum.reduce(P, axis=1, keepdims=True)
        np.exp(P, out=P)
        P /= np.add.reduce(P, axis=1, keepdims=True)
        return SeqForward(X, buf.hs, P.reshape(T, B, V))

    def backward(self, params: Params, fwd: SeqForward, tg: _Targets) -> Gradients:
        """Backprop through time for the mean masked cross-entropy; mirrors ``forward``."""
        T, B = fwd.X.shape
        V, _, H = self.sizes
        buf, g = self.buffers(T, B), self.grads
        dO = buf.dO
        np.multiply(fwd.probs.reshape(T * B, V), tg.w_col, out=dO)  # (y_t - onehot(target)) * weight
        dO.reshape(-1)[tg.at] -= tg.w
        hs2 = fwd.hs.reshape((T + 1) * B, H)
        dH2, dA2 = buf.dH.reshape(T * B, H), buf.dA.reshape(T * B, H)
        mm = self.mm
        mm(dO, params.W_y, dH2)  # from o_t
        np.multiply(hs2[B:], hs2[B:], out=buf.tanh_grad.reshape(T * B, H))
        np.subtract(1, buf.tanh_grad, out=buf.tanh_grad)
        dHt, dAt, tanh_grad, dh, W_h = buf.dHt, buf.dAt, buf.tanh_grad_t, buf.dh, params.W_h
        for t in reversed(range(T)):
            if t < T - 1:
                dHt[t] += dh  # ... and from h_{t+1}
            np.multiply(dHt[t], tanh_grad[t], out=dAt[t])
            mm(dAt[t], W_h, dh)
        dh_norms = np.add.reduce(np.sqrt(np.einsum("tbh,tbh->tb", buf.dH, buf.dH)), axis=1) / B
        S = mm(tg.onehot_T, dA2, self.S)
        mm(S, params.W_x, g.embedding)
        mm(S.T, params.embedding, g.W_x)
        np.add.reduce(S, axis=0, out=g.b_h)
        mm(dA2.T, hs2[:-B], g.W_h)
        mm(dO.T, hs2[B:], g.W_y)
        np.add.reduce(dO, axis=0, out=g.b_y)
        return Gradients(g, dh, dh_norms)

    def loss_and_grads(self, params: Params, X, Y, mask, h0) -> tuple[float, Gradients, SeqForward]:
        tg = self.targets(X, Y, mask)
        fwd = self.forward(params, X, h0, tg)
        return nll(fwd, tg), self.backward(params, fwd, tg), fwd


def nll(fwd: SeqForward, tg: _Targets) -> float:
    """Weighted sum of -log y_t[target] (weights: the mask over its sum)."""
    p = fwd.probs.reshape(-1).take(tg.at)
    return -float(np.dot(np.log(np.maximum(p, np.finfo(p.dtype).tiny)), tg.w))


def forward_seq(params: Params, X: np.ndarray, h0: np.ndarray) -> SeqForward:
    """Run the RNN over X (T, B) from h0 (B, H), in fresh arrays."""
    return Workspace.of(params).forward(params, X, h0)


def cross_entropy(fwd: SeqForward, Y: np.ndarray, mask: np.ndarray) -> float:
    """Mean of -log y_t[target] over the positions where mask is 1."""
    return nll(fwd, _Targets(fwd.X, Y, mask, fwd.probs.shape[2], fwd.probs.dtype))


def backward_seq(params: Params, fwd: SeqForward, Y: np.ndarray, mask: np.ndarray) -> Gradients:
    """Backprop through time for the mean masked cross-entropy, in fresh arrays."""
    return Workspace.of(params).backward(params, fwd, _Targets(fwd.X, Y, mask, params.sizes[0], params.W_h.dtype))


def loss_and_grads(params: Params, X, Y, mask, h0, work: Workspace | None = None
                   ) -> tuple[float, Gradients, SeqForward]:
    """(mean cross-entropy, gradients, forward pass) for one batch. Without ``work`` the results
    are fresh arrays; with it they are views into its buffers, valid until its next call."""
    return (work or Workspace.of(params)).loss_and_grads(params, X, Y, mask, h0)
