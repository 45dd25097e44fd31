"""The plain NumPy script `bench/train.py` times `stepnet train` against: what a user would
write instead — load the data and the initial weights, train N iterations (`reference.py`),
print the final loss and accuracy over every sample.

    python bench/plain_train.py SPEC.npz N [DATA.npz]

SPEC.npz holds the network (`hidden`, `output`, `trained`), the update rule (`rule`,
`learning_rate`), `batch_size`, and the initial parameters: W1, b1, … as given, or `sizes`
and `seed` for Xavier's initialisation drawn as the scenario draws it (biases 0). The
samples come from DATA.npz (`inputs`, class labels as `targets`, as the bundled digits are
stored) or, without it, from SPEC.npz's `inputs` and `targets`.
"""

from __future__ import annotations

import one_thread  # noqa: F401  (first: one BLAS thread, set before NumPy is imported)
import sys

import numpy as np

import reference


def main() -> None:
    spec = np.load(sys.argv[1])
    iterations = int(sys.argv[2])
    if len(sys.argv) > 3:
        data = np.load(sys.argv[3])
        x, labels = data["inputs"].astype(np.float64), data["targets"]
        y = np.eye(int(labels.max()) + 1)[labels]
    else:
        x, y = spec["inputs"], spec["targets"]
    if "seed" in spec.files:
        rng = np.random.default_rng(int(spec["seed"]))
        params = []
        for fan_in, units in zip(spec["sizes"], spec["sizes"][1:]):
            params += [rng.standard_normal((units, fan_in)) * np.sqrt(2.0 / (fan_in + units)), np.zeros(units)]
    else:
        depth = sum(name.startswith("W") for name in spec.files)
        params = [spec[f"{kind}{l}"] for l in range(1, depth + 1) for kind in ("W", "b")]
    net = reference.Net(str(spec["hidden"]), str(spec["output"]), tuple(bool(t) for t in spec["trained"]))
    rule = reference.RULES[str(spec["rule"])]
    params = rule(params, x, y, int(spec["batch_size"]), iterations, float(spec["learning_rate"]), net)
    loss, accuracy = reference.evaluate(x, y, params, net)
    print(f"final after {iterations} iterations: loss {loss:.6g}, accuracy {100 * accuracy:.2f} %")


if __name__ == "__main__":
    main()
