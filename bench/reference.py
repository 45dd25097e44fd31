"""What both benchmarks measure against: training the 784-64-10 ReLU/softmax network with
cross-entropy as a textbook NumPy loop — the same math as stepnet, with no engine and no
bookkeeping."""

from __future__ import annotations

import numpy as np

Array = np.ndarray
Params = tuple[Array, Array, Array, Array]


def gradients(x: Array, y: Array, params: Params) -> tuple[float, Array, Params]:
    """Loss, predictions and (∂J/∂W1, ∂J/∂b1, ∂J/∂W2, ∂J/∂b2) of one batch."""
    W1, b1, W2, b2 = params
    z1 = x @ W1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ W2.T + b2
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    loss = -np.sum(y * np.log(np.clip(p, 1e-12, 1 - 1e-12))) / len(x)
    d2 = (p - y) / len(x)
    d1 = (d2 @ W2) * (z1 > 0)
    return loss, p, (d1.T @ x, d1.sum(axis=0), d2.T @ a1, d2.sum(axis=0))


def train(params: Params, x_all: Array, y_all: Array, batch: int, iterations: int, lr: float) -> Params:
    """`iterations` SGD steps over the batches in file order, wrapping around."""
    batches = -(-len(x_all) // batch)
    for k in range(iterations):
        start = (k % batches) * batch
        _, _, grads = gradients(x_all[start:start + batch], y_all[start:start + batch], params)
        params = tuple(p - lr * g for p, g in zip(params, grads))
    return params
