"""Loss and gradients of a batch of sequences: forward over time, backprop through time.

Time-major and batched: token ids X, Y and mask are (T, B); hidden states (T+1, B, H).
Everything that does not depend on h_{t-1} (the output layer, softmax, and the weight
gradients) is done for all T*B positions in one matrix product, so the only Python loop is the
recurrence itself. W_x x_t + b_h depends on the token only, so it is computed once per distinct
input token of the batch (U <= min(V, T*B) rows) and looked up; in the backward pass the
gradients of embedding, W_x and b_h likewise come from S = the sum of dLoss/da_t over the
positions of each input token (U, H), a sum over index groups, never a V x T*B one-hot matrix.

A ``Workspace`` keeps one set of buffers for a whole training run, sized for its largest batch
and viewed for smaller ones, so a step allocates almost nothing and writes the gradients into
one flat vector (laid out by ``optim.Layout``) that clipping and the optimizer use directly.
The biggest buffers are the (T*B, V) probabilities and their gradient: ``step_bytes`` counts them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .optim import Layout
from .weights import Params

GROUP_LOOP_ROWS = 16  # token groups this many rows long on average are summed one reduce each


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
    dH: np.ndarray  # (T, B, H) dLoss/dh_t, through o_t and every later step

    @property
    def dh_norms(self) -> np.ndarray:
        """(T,) ||dLoss/dh_t||, the mean over the batch: vanishing gradients show here."""
        return np.add.reduce(np.sqrt(np.einsum("tbh,tbh->tb", self.dH, self.dH)), axis=1) / self.dH.shape[1]


MAX_EVAL_STEPS = 256  # train.mean_loss runs long sentences in pieces this long (same result, bounded memory)

def step_bytes(T: int, B: int, V: int, E: int, H: int, itemsize: int) -> int:
    """Bytes of a Workspace's buffers for batches of up to T x B: what one step holds besides
    the weights (probabilities and dLoss/do: 2 T*B*V; hidden states and their gradients: about
    5 T*B*H; per-token rows; index arrays, 5 int64 per position)."""
    TB, U = T * B, min(V, T * B)
    floats = 2 * TB * V + (TB + B) * H + 4 * TB * H + 2 * B * H + U * (2 * E + 2 * H) + H * H + TB
    return floats * itemsize + 5 * TB * 8


class _Inputs:
    """Per-batch index arrays of the input tokens, grouped by token.

    tokens (U,): the distinct input ids, ascending; row (T*B,): each position's index into
    tokens; order (T*B,): the positions sorted by token, in groups starting at ``starts``.
    """

    def __init__(self, X: np.ndarray):
        self.X = np.ascontiguousarray(X).reshape(-1)
        self.order = np.argsort(self.X, kind="stable")
        sorted_ids = self.X[self.order]
        self.starts = np.flatnonzero(np.concatenate(([True], sorted_ids[1:] != sorted_ids[:-1])))
        self.tokens = sorted_ids[self.starts]
        self.row = np.searchsorted(self.tokens, self.X)
        ends = np.append(self.starts[1:], len(self.X)).tolist()
        long_groups = len(self.X) >= GROUP_LOOP_ROWS * len(self.starts)
        self.groups = list(zip(self.starts.tolist(), ends)) if long_groups else None

    def group_sums(self, rows: np.ndarray, grouped: np.ndarray, out: np.ndarray) -> np.ndarray:
        """out[u] = sum of rows[i] over the positions i of token u; ``grouped`` is scratch of
        rows' shape. Long groups: one vectorised reduce each; many short ones: one reduceat."""
        rows.take(self.order, axis=0, out=grouped)
        if self.groups is None:
            return np.add.reduceat(grouped, self.starts, axis=0, out=out)
        for u, (a, b) in enumerate(self.groups):
            np.add.reduce(grouped[a:b], axis=0, out=out[u])
        return out


class _Targets:
    """Per-batch index arrays of the targets: where each target's probability sits, and its weight."""

    def __init__(self, Y: np.ndarray, mask: np.ndarray, V: int, dtype):
        self.at = np.arange(Y.size) * V + Y.reshape(-1)  # flat index of y_t[target] in (T*B, V)
        self.w = (mask / mask.sum()).reshape(-1).astype(dtype)  # mean over unmasked targets
        self.w_col = self.w[:, None]


class _Storage:
    """The workspace's arrays, for batches of up to ``TB`` positions and ``B`` sequences."""

    def __init__(self, TB: int, B: int, V: int, E: int, H: int, dtype):
        U = min(V, TB)
        self.TB, self.B, self.E, self.H = TB, B, E, H
        self.hs = np.empty((TB + B) * H, dtype)
        self.probs, self.dO = np.empty(TB * V, dtype), np.empty(TB * V, dtype)  # y_t and dLoss/do_t
        self.dH, self.dA = np.empty(TB * H, dtype), np.empty(TB * H, dtype)  # dLoss/dh_t, dLoss/da_t
        self.tanh_grad, self.grouped = np.empty(TB * H, dtype), np.empty(TB * H, dtype)
        self.dh, self.tmp = np.empty(B * H, dtype), np.empty(B * H, dtype)
        self.x_u, self.dx_u = np.empty(U * E, dtype), np.empty(U * E, dtype)  # per distinct input token
        self.pre_u, self.S_u = np.empty(U * H, dtype), np.empty(U * H, dtype)
        self._rows: tuple[int, tuple[np.ndarray, ...]] = (-1, ())

    def token_rows(self, U: int) -> tuple[np.ndarray, ...]:
        """(x_u, dx_u) (U, E) and (pre_u, S_u) (U, H): one row per distinct input token."""
        if self._rows[0] != U:
            E, H = self.E, self.H
            self._rows = (U, (self.x_u[: U * E].reshape(U, E), self.dx_u[: U * E].reshape(U, E),
                              self.pre_u[: U * H].reshape(U, H), self.S_u[: U * H].reshape(U, H)))
        return self._rows[1]


class _Views:
    """The storage shaped for one batch shape (T, B): 3-d (T, B, .) views, 2-d (T*B, .) views of
    the same memory for the products over every position, and per-t views made once (indexing
    a 3-d array T times per call is measurable when T*B is 4)."""

    def __init__(self, s: _Storage, T: int, B: int, V: int, H: int):
        TB = T * B
        self.hs = s.hs[: (TB + B) * H].reshape(T + 1, B, H)
        self.h_in, self.h_out = self.hs[:-1].reshape(TB, H), self.hs[1:].reshape(TB, H)  # h_{t-1}, h_t
        self.probs, self.dO = s.probs[: TB * V].reshape(TB, V), s.dO[: TB * V].reshape(TB, V)
        self.probs3, self.dO_flat = self.probs.reshape(T, B, V), s.dO[: TB * V]
        self.dH, self.dA = s.dH[: TB * H].reshape(T, B, H), s.dA[: TB * H].reshape(T, B, H)
        self.dH2, self.dA2 = s.dH[: TB * H].reshape(TB, H), s.dA[: TB * H].reshape(TB, H)
        self.tanh_grad, self.tanh_grad2 = s.tanh_grad[: TB * H].reshape(T, B, H), s.tanh_grad[: TB * H].reshape(TB, H)
        self.grouped = s.grouped[: TB * H].reshape(TB, H)
        self.dh, self.tmp = s.dh[: B * H].reshape(B, H), s.tmp[: B * H].reshape(B, H)
        self.h, self.dHt, self.dAt, self.tanh_grad_t = list(self.hs), list(self.dH), list(self.dA), list(self.tanh_grad)


class Workspace:
    """Buffers and a flat gradient vector for repeated loss_and_grads on one model size.

    One set of buffers, for the largest batch seen (or reserved with ``T`` and ``B``), viewed for
    smaller ones: a run never holds two. The returned SeqForward and Gradients are views into
    them, valid until the next call. Index arrays of the last batch are reused when the same
    (unmodified) X, Y and mask arrays come again, as they do for a corpus that fits in one batch.
    """

    def __init__(self, V: int, E: int, H: int, dtype, T: int = 1, B: int = 1):
        self.sizes, self.dtype = (V, E, H), np.dtype(dtype)
        self.layout = Layout(V, E, H)
        self.grad = np.empty(self.layout.size, self.dtype)  # flat dLoss/dtheta
        self.grads = self.layout.views(self.grad)
        self.W_hT = np.empty((H, H), self.dtype)  # a C-ordered copy: BLAS is faster on it
        self._storage = _Storage(T * B, B, V, E, H, self.dtype)
        self._views: tuple[tuple[int, int], _Views] | None = None
        self._last = (None, None, None, None)

    @classmethod
    def of(cls, params: Params, T: int = 1, B: int = 1) -> "Workspace":
        return cls(*params.sizes, params.W_h.dtype, T, B)

    def views(self, T: int, B: int) -> _Views:
        """The buffers shaped (T, B); they grow (replacing the old ones) only past their size."""
        if self._views is None or self._views[0] != (T, B):
            s = self._storage
            if T * B > s.TB or B > s.B:
                s = self._storage = _Storage(max(T * B, s.TB), max(B, s.B), *self.sizes, self.dtype)
            self._views = ((T, B), _Views(s, T, B, self.sizes[0], self.sizes[2]))
        return self._views[1]

    def indices(self, X, Y, mask) -> tuple[_Inputs, _Targets]:
        last = self._last
        if last[0] is not X or last[1] is not Y or last[2] is not mask:
            last = self._last = (X, Y, mask, (_Inputs(X), _Targets(Y, mask, self.sizes[0], self.dtype)))
        return last[3]

    def forward(self, params: Params, X: np.ndarray, h0: np.ndarray, inputs: _Inputs | None = None) -> SeqForward:
        """h_t = tanh(W_x x_t + W_h h_{t-1} + b_h) for t = 1..T, then y_t = softmax(W_y h_t + b_y).
        h0 may be the last h_T of this workspace's previous call: it is copied before anything
        is written over it (that is how a run carries h from one batch to the next)."""
        T, B = X.shape
        inputs = inputs or _Inputs(X)
        v = self.views(T, B)  # first: it may replace the storage
        x_u, _, pre_u, _ = self._storage.token_rows(len(inputs.tokens))
        params.embedding.take(inputs.tokens, axis=0, out=x_u)
        np.matmul(x_u, params.W_x.T, out=pre_u)
        pre_u += params.b_h
        v.hs[0] = h0
        pre_u.take(inputs.row, axis=0, out=v.h_out)  # W_x x_t + b_h; the loop adds W_h h_{t-1}
        W_hT, h, tmp = self.recurrent_weights(params), v.h, v.tmp
        for t in range(T):
            np.dot(h[t], W_hT, out=tmp)  # np.dot: half matmul's call overhead on small arrays
            h[t + 1] += tmp
            np.tanh(h[t + 1], out=h[t + 1])
        P = v.probs
        np.matmul(v.h_out, params.W_y.T, out=P)
        P += params.b_y
        # softmax in place on the (T*B, V) buffer; an infinite logit gives nan, which the
        # training loop reads as divergence
        P -= np.maximum.reduce(P, axis=1, keepdims=True)
        np.exp(P, out=P)
        P /= np.add.reduce(P, axis=1, keepdims=True)
        return SeqForward(X, v.hs, v.probs3)

    def recurrent_weights(self, params: Params) -> np.ndarray:
        """W_h^T (H, H) for h_{t-1} @ W_h^T: from H = 16 on as a C-ordered copy, which BLAS
        multiplies faster (measured 40% on (32, 64) @ (64, 64)); below, the copy costs more."""
        if len(params.W_h) < 16:
            return params.W_h.T
        np.copyto(self.W_hT, params.W_h.T)
        return self.W_hT

    def backward(self, params: Params, fwd: SeqForward, inputs: _Inputs, targets: _Targets) -> Gradients:
        """Backprop through time for the mean masked cross-entropy; mirrors ``forward``, which
        must have run just before on this workspace (``fwd`` and x_u are views of its buffers)."""
        T, B = fwd.X.shape
        v, g = self.views(T, B), self.grads
        dO, dA2 = v.dO, v.dA2
        np.multiply(v.probs, targets.w_col, out=dO)  # (y_t - onehot(target)) * weight
        v.dO_flat[targets.at] -= targets.w
        np.matmul(dO, params.W_y, out=v.dH2)  # from o_t
        np.multiply(v.h_out, v.h_out, out=v.tanh_grad2)
        np.subtract(1, v.tanh_grad2, out=v.tanh_grad2)
        dHt, dAt, tanh_grad, dh, W_h = v.dHt, v.dAt, v.tanh_grad_t, v.dh, params.W_h
        for t in reversed(range(T)):
            if t < T - 1:
                dHt[t] += dh  # ... and from h_{t+1}
            np.multiply(dHt[t], tanh_grad[t], out=dAt[t])
            np.dot(dAt[t], W_h, out=dh)
        self._input_grads(params, inputs, dA2, v.grouped)
        np.matmul(dA2.T, v.h_in, out=g.W_h)
        np.matmul(dO.T, v.h_out, out=g.W_y)
        np.add.reduce(dO, axis=0, out=g.b_y)
        return Gradients(g, dh, v.dH)

    def _input_grads(self, params: Params, inputs: _Inputs, dA2: np.ndarray, grouped: np.ndarray) -> None:
        """Gradients of embedding, W_x and b_h from S (U, H): dLoss/da summed per input token
        (``grouped``: scratch of dA2's shape)."""
        g = self.grads
        x_u, dx_u, _, S = self._storage.token_rows(len(inputs.tokens))
        inputs.group_sums(dA2, grouped, S)
        if len(S) == len(g.embedding):  # every token is an input: its rows are in order, 0..V-1
            np.matmul(S, params.W_x, out=g.embedding)
        else:
            np.matmul(S, params.W_x, out=dx_u)
            g.embedding[...] = 0  # tokens that are no input of this batch get no gradient
            g.embedding[inputs.tokens] = dx_u
        np.matmul(S.T, x_u, out=g.W_x)
        np.add.reduce(S, axis=0, out=g.b_h)

    def loss_and_grads(self, params: Params, X, Y, mask, h0) -> tuple[float, Gradients, SeqForward]:
        inputs, targets = self.indices(X, Y, mask)
        fwd = self.forward(params, X, h0, inputs)
        loss = nll(fwd, targets)
        return loss, self.backward(params, fwd, inputs, targets), fwd


def nll(fwd: SeqForward, targets: _Targets) -> float:
    """Weighted sum of -log y_t[target] (weights: the mask over its sum)."""
    p = fwd.probs.reshape(-1).take(targets.at)
    return -float(np.dot(np.log(np.maximum(p, np.finfo(p.dtype).tiny)), targets.w))


def forward_seq(params: Params, X: np.ndarray, h0: np.ndarray, work: Workspace | None = None) -> SeqForward:
    """Run the RNN over X (T, B) from h0 (B, H): in fresh arrays, or in ``work``'s buffers."""
    T, B = X.shape
    return (work or Workspace.of(params, T, B)).forward(params, X, h0)


def cross_entropy(fwd: SeqForward, Y: np.ndarray, mask: np.ndarray) -> float:
    """Mean of -log y_t[target] over the positions where mask is 1."""
    return nll(fwd, _Targets(Y, mask, fwd.probs.shape[2], fwd.probs.dtype))


def backward_seq(params: Params, fwd: SeqForward, Y: np.ndarray, mask: np.ndarray) -> Gradients:
    """Backprop through time for the mean masked cross-entropy, in fresh arrays."""
    T, B = fwd.X.shape
    work = Workspace.of(params, T, B)
    return work.backward(params, fwd, _Inputs(fwd.X), _Targets(Y, mask, params.sizes[0], params.W_h.dtype))


def loss_and_grads(params: Params, X, Y, mask, h0, work: Workspace | None = None
                   ) -> tuple[float, Gradients, SeqForward]:
    """(mean cross-entropy, gradients, forward pass) for one batch. Without ``work`` the results
    are fresh arrays; with it they are views into its buffers, valid until its next call."""
    T, B = np.shape(X)
    return (work or Workspace.of(params, T, B)).loss_and_grads(params, X, Y, mask, h0)
