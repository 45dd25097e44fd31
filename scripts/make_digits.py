"""Make stepnet/examples/data/digits.npz and digits28.npz from the UCI handwritten digits.

Where the data comes from: the "Optical Recognition of Handwritten Digits" data set of
the UCI Machine Learning Repository (E. Alpaydin, C. Kaynak, 1998;
https://archive.ics.uci.edu/dataset/80), in the copy scikit-learn ships inside its
package as sklearn/datasets/data/digits.csv.gz — the UCI test set, 1,797 images of
8×8 pixels, each pixel the count of "on" pixels in a 4×4 block of a 32×32 bitmap
(0…16), written by 13 people. `sklearn.datasets.load_digits` reads that file; nothing
is downloaded. License: CC BY 4.0 (UCI).

What is written (arrays `inputs` and `targets`, loaded by stepnet with allow_pickle=False):

- digits.npz: `inputs` 1797 × 64 float16, the pixels divided by 16 (so in [0, 1]; every
  value k/16 is exact in float16, and stepnet reads it as float64); `targets` 1797 uint8 class labels 0…9 (stepnet
  one-hot encodes them). Samples in the order of the UCI file, which cycles through the
  digits, so consecutive mini-batches are already mixed.
- digits28.npz: the same images upsampled to 28×28 = 784 inputs (the size of MNIST,
  which the 784-64-10 network of the articles expects) by bilinear interpolation:
  scipy.ndimage.zoom(order=1) with the factor 28/8 = 3.5 and the corner pixels aligned,
  then rounded to multiples of 1/64 (the 8×8 source has only 17 levels; the rounding,
  at most 1/128, keeps the file at ~0.75 MB), stored as float16, which holds j/64
  exactly. Same targets.

scikit-learn and SciPy are tools of this script only, not dependencies of stepnet:

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn numpy scipy
    /tmp/skvenv/bin/python scripts/make_digits.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from scipy.ndimage import zoom
from sklearn.datasets import load_digits

OUT = Path(__file__).resolve().parent.parent / "stepnet" / "examples" / "data"
SIDE, BIG = 8, 28
#: the upsampled pixels are multiples of 1/STEPS
STEPS = 64


def upsample(images: np.ndarray, side: int = BIG) -> np.ndarray:
    """n × 8 × 8 images to n × side × side, bilinear, rounded to multiples of 1/64."""
    factor = side / images.shape[1]
    big = zoom(images.astype(np.float64), (1, factor, factor), order=1)
    assert big.shape[1:] == (side, side), big.shape
    return np.clip(np.round(big * STEPS) / STEPS, 0.0, 1.0)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=OUT, help="directory to write to (default %(default)s)")
    args = p.parse_args()
    digits = load_digits()
    pixels, labels = digits.data, digits.target
    assert pixels.shape == (1797, SIDE * SIDE) and pixels.min() == 0 and pixels.max() == 16
    inputs = pixels / 16.0
    targets = labels.astype(np.uint8)
    inputs28 = upsample(inputs.reshape(-1, SIDE, SIDE)).reshape(len(inputs), -1)

    args.out.mkdir(parents=True, exist_ok=True)
    for name, exact in (("digits.npz", inputs), ("digits28.npz", inputs28)):
        x = exact.astype(np.float16)
        assert np.array_equal(x.astype(np.float64), exact), "float16 must hold every value exactly"
        path = args.out / name
        np.savez_compressed(path, inputs=x, targets=targets)
        print(f"{path}: inputs {x.shape[0]}×{x.shape[1]} {x.dtype}, targets {targets.shape[0]} "
              f"{targets.dtype} (classes {np.bincount(targets).tolist()}), {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
