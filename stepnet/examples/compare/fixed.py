"""The articles' 784-64-10 network in plain NumPy, fixed: buggy.py without its mistake.

ReLU hidden layer, softmax output, cross-entropy, mini-batch gradient descent, on the
handwritten digits upsampled to 28×28 that ship with stepnet. It records its numbers for
`stepnet compare` with stepnet.record.Recorder (three iterations, batches of 8):

    python fixed.py fixed.npz
    stepnet compare mlp.toml fixed.npz

Its weights start from init.npz, the file mlp.toml reads too; the code computes x @ W + b,
so its W is fan_in × units (mlp.toml says so: [notation] layout = "in_out") and its names
dz2, dW2, … are declared in mlp.toml's [notation.names].
"""

import sys
from pathlib import Path

import numpy as np

from stepnet.record import Recorder

HERE = Path(__file__).resolve().parent
digits = np.load(HERE.parent / "data" / "digits28.npz")
X = digits["inputs"].astype(np.float64)  # 1,797 images × 784 pixels in [0, 1]
Y = np.eye(10)[digits["targets"]]  # one-hot labels
init = np.load(HERE / "init.npz")
W1, b1, W2, b2 = (init[k].astype(np.float64) for k in ("W1", "b1", "W2", "b2"))
lr, batch = 0.1, 8


def relu(z):
    return np.maximum(z, 0)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


rec = Recorder(sys.argv[1] if len(sys.argv) > 1 else "trace.npz")
for it in range(1, 4):
    x, y = X[(it - 1) * batch:it * batch], Y[(it - 1) * batch:it * batch]
    # forward
    z1 = x @ W1 + b1
    a1 = relu(z1)
    z2 = a1 @ W2 + b2
    a2 = softmax(z2)
    loss = -np.mean(np.sum(y * np.log(a2), axis=1))
    # backward
    dz2 = (a2 - y) / batch
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = (dz2 @ W2.T) * (z1 > 0)
    dW1 = x.T @ dz1
    db1 = dz1.sum(axis=0)
    # update
    W1 -= lr * dW1
    b1 -= lr * db1
    W2 -= lr * dW2
    b2 -= lr * db2
    # W1 and dW1 (784 × 64) are left out to keep the trace small: add them to look at layer 1's update
    rec.log(it, z1=z1, a1=a1, z2=z2, a2=a2, loss=loss, dz2=dz2, dW2=dW2, db2=db2, dz1=dz1, db1=db1,
            W2=W2, b1=b1, b2=b2)
print(f"loss after 3 iterations: {loss:.4f}; recorded to {rec.save()}")
