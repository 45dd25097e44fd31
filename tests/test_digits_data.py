"""The shipped digits data: what scripts/make_digits.py promises, read through the loader."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SCENARIOS
from stepnet import scenario

DATA = SCENARIOS / "data"


def raw(name: str) -> tuple[np.ndarray, np.ndarray]:
    with np.load(DATA / name, allow_pickle=False) as f:
        return f["inputs"], f["targets"]


@pytest.mark.parametrize("name, width", [("digits.npz", 64), ("digits28.npz", 784)])
def test_files_hold_1797_images_in_unit_range_with_ten_balanced_classes(name, width):
    x, labels = raw(name)
    assert x.shape == (1797, width) and labels.shape == (1797,)
    assert labels.dtype.kind in "iu" and labels.min() == 0 and labels.max() == 9
    assert 0.0 <= x.min() and x.max() <= 1.0 and x.max() == 1.0
    assert np.bincount(labels).min() >= 170  # UCI test set: 174…183 per digit


def test_pixels_are_the_uci_counts_over_16():
    x, _ = raw("digits.npz")
    counts = x.astype(np.float64) * 16
    assert np.array_equal(counts, np.round(counts)) and counts.max() == 16


def bilinear(image: np.ndarray, side: int) -> np.ndarray:
    """Corner-aligned bilinear resampling, one axis at a time with np.interp."""
    n = image.shape[0]
    at = np.arange(side) * (n - 1) / (side - 1)
    rows = np.array([np.interp(at, np.arange(n), column) for column in image.T]).T
    return np.array([np.interp(at, np.arange(n), row) for row in rows])


def test_upsampled_images_are_the_bilinear_zoom_of_the_small_ones():
    small, labels = raw("digits.npz")
    big, labels28 = raw("digits28.npz")
    assert np.array_equal(labels, labels28)
    small, big = small.astype(np.float64).reshape(-1, 8, 8), big.astype(np.float64).reshape(-1, 28, 28)
    assert np.array_equal(big * 64, np.round(big * 64))  # multiples of 1/64, as documented
    for k in range(0, 1797, 97):
        # the file rounds to the nearest 1/64: within half a step of the exact zoom
        assert np.abs(big[k] - bilinear(small[k], 28)).max() <= 0.5 / 64 + 1e-12


@pytest.mark.parametrize("file, width", [("digits.toml", 64), ("mnist_shape.toml", 784)])
def test_scenarios_load_the_labels_one_hot(file, width):
    s = scenario.load(SCENARIOS / file)
    _, labels = raw("digits.npz")
    assert s.data.inputs.shape == (1797, width) and s.data.inputs.dtype == np.float64
    assert s.data.targets.shape == (1797, 10)
    assert np.array_equal(s.data.targets.sum(axis=1), np.ones(1797))
    assert np.array_equal(s.data.targets.argmax(axis=1), labels)
