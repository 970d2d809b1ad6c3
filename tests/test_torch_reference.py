"""Optional cross-check against PyTorch: the same weights in nn.Embedding + nn.RNN(tanh) +
nn.Linear + cross-entropy give the same loss and the same gradients (autograd), in float64.
torch is test-only (requirements-reference.txt, which .ci/run installs). Without it the module is
skipped with the reason, except in CI (`CI=true`), where it fails: CI never passes without it."""

import os

import numpy as np
import pytest

from rnn_core.bptt import loss_and_grads
from rnn_core.torch_reference import torch_rnn  # imports torch only when called
from rnn_core.weights import init_params

try:
    import torch
except ImportError:
    if os.environ.get("CI"):
        raise
    pytest.skip("torch is not installed: pip install -r requirements-reference.txt", allow_module_level=True)


def torch_loss_and_grads(p, X, Y, mask, h0):
    """Loss and {name: gradient} from torch autograd on the same model, in float64."""
    twin = torch_rnn(p, "float64")
    h0_t = torch.tensor(h0[None], requires_grad=True)
    loss, _ = twin.loss(torch.from_numpy(X), torch.from_numpy(Y), torch.from_numpy(mask), h0_t)
    loss.backward()
    return loss.item(), {**twin.named_grads(), "h0": h0_t.grad[0].numpy()}


def batches():
    rng = np.random.default_rng(3)
    word = (np.array([[0, 1], [1, 2], [2, 3], [3, 0], [1, 0]]), np.array([[1, 2], [2, 3], [3, 4], [4, 0], [4, 0]]),
            np.array([[1, 1], [1, 1], [1, 1], [1, 0], [1, 0]], float), np.zeros((2, 6)))
    char = (rng.integers(0, 5, (7, 3)), rng.integers(0, 5, (7, 3)), np.ones((7, 3)),
            np.tanh(rng.standard_normal((3, 6))))
    return {"word": word, "char": char}


@pytest.mark.parametrize("level", ["word", "char"])
def test_loss_and_every_gradient_match_torch(level):
    X, Y, mask, h0 = batches()[level]
    p = init_params(5, 4, 6, np.random.default_rng(11))
    loss, grads, _ = loss_and_grads(p, X, Y, mask, h0)
    ref_loss, ref = torch_loss_and_grads(p, X, Y, mask, h0)
    assert loss == pytest.approx(ref_loss, rel=1e-12)
    ours = {**grads.params.as_dict(), "h0": grads.dh0}
    for name, g in ref.items():
        np.testing.assert_allclose(ours[name], g, rtol=1e-9, atol=1e-12, err_msg=name)
