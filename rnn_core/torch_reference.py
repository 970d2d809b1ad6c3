"""The seed's model in PyTorch, with rnn_core's weights: for the gradient cross-check
(tests/test_torch_reference.py) and the speed comparison (benchmarks/train_speed.py).

PyTorch is optional and no project dependency: this module imports it only when called, and
nothing in rnn_core imports this module.

    nn.Embedding (embedding) -> nn.RNN(tanh) (W_x, W_h, b_h) -> nn.Linear (W_y, b_y)

torch's RNN has two hidden biases (b_ih + b_hh) where the seed's model has one: b_ih holds b_h
and b_hh is zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .weights import Params


@dataclass(frozen=True)
class TorchRNN:
    """The three torch modules holding one model's weights."""

    embedding: "torch.nn.Embedding"  # noqa: F821 (torch is imported lazily)
    rnn: "torch.nn.RNN"  # noqa: F821
    output: "torch.nn.Linear"  # noqa: F821

    def parameters(self) -> list:
        return [*self.embedding.parameters(), *self.rnn.parameters(), *self.output.parameters()]

    def loss(self, X, Y, mask, h0):
        """(mean cross-entropy over mask, h_T) for time-major X, Y, mask (T, B) and h0 (1, B, H), as tensors."""
        import torch

        hs, h_last = self.rnn(self.embedding(X), h0)
        logits = self.output(hs)
        nll = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), Y.reshape(-1), reduction="none")
        m = mask.reshape(-1)
        return (nll * m).sum() / m.sum(), h_last

    def named_grads(self) -> dict[str, np.ndarray]:
        """The gradients after ``backward``, named as rnn_core names the parameters."""
        grads = {"embedding": self.embedding.weight.grad, "W_x": self.rnn.weight_ih_l0.grad,
                 "W_h": self.rnn.weight_hh_l0.grad, "b_h": self.rnn.bias_ih_l0.grad,
                 "W_y": self.output.weight.grad, "b_y": self.output.bias.grad}
        return {k: v.numpy() for k, v in grads.items()}


def torch_rnn(params: Params, dtype: str) -> TorchRNN:
    """A TorchRNN holding a copy of ``params`` in ``dtype`` ('float32' or 'float64')."""
    import torch

    V, E, H = params.sizes
    model = TorchRNN(torch.nn.Embedding(V, E), torch.nn.RNN(E, H, nonlinearity="tanh"), torch.nn.Linear(H, V))
    copies = {
        model.embedding.weight: params.embedding, model.rnn.weight_ih_l0: params.W_x,
        model.rnn.weight_hh_l0: params.W_h, model.rnn.bias_ih_l0: params.b_h,
        model.rnn.bias_hh_l0: np.zeros_like(params.b_h), model.output.weight: params.W_y,
        model.output.bias: params.b_y,
    }
    with torch.no_grad():
        for tensor, array in copies.items():
            tensor.data = torch.from_numpy(np.asarray(array, dtype)).clone()
    return model
