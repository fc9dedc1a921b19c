"""Synthetic Noto Sans Devanagari digits: format, balance, determinism, DHCD-like geometry."""

import os

import numpy as np
import pytest

from nepscript_keras.data import load_digits
from nepscript_keras.errors import DataError
from nepscript_keras.synthetic import font_path, make_synthetic


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic(per_class=20, seed=0)


def test_font_ships_with_the_package():
    assert os.path.isfile(font_path())


def test_format_balance_and_border(synthetic):
    assert synthetic.images.shape == (200, 32, 32) and synthetic.images.dtype == np.uint8
    assert synthetic.labels.dtype == np.int64
    assert synthetic.class_counts().tolist() == [20] * 10
    border = np.concatenate([synthetic.images[:, :2].ravel(), synthetic.images[:, -2:].ravel(),
                             synthetic.images[:, :, :2].ravel(), synthetic.images[:, :, -2:].ravel()])
    assert border.max() == 0
    assert synthetic.images.mean() < 127  # white strokes on black
    assert synthetic.images.reshape(200, -1).max(axis=1).min() >= 200  # every image has bright ink


def test_glyphs_fill_the_box_like_dhcd(synthetic):
    rows = (synthetic.images > 127).any(axis=2)
    heights = np.array([np.ptp(np.flatnonzero(r)) + 1 for r in rows])
    assert 20 <= np.median(heights) <= 28


def test_same_seed_same_arrays_other_seed_or_split_differs(synthetic):
    again = make_synthetic(per_class=20, seed=0)
    np.testing.assert_array_equal(again.images, synthetic.images)
    np.testing.assert_array_equal(again.labels, synthetic.labels)
    assert again.fingerprint() == synthetic.fingerprint()
    assert make_synthetic(per_class=20, seed=1).fingerprint() != synthetic.fingerprint()
    assert make_synthetic(per_class=20, seed=0, split="test").fingerprint() != synthetic.fingerprint()


def test_classes_look_different(synthetic):
    means = np.stack([synthetic.images[synthetic.labels == c].mean(axis=0) for c in range(10)])
    distances = np.abs(means[:, None] - means[None]).mean(axis=(2, 3))
    assert distances[~np.eye(10, dtype=bool)].min() > 5


def test_load_digits_synthetic(synthetic):
    data = load_digits(dataset="synthetic", seed=0, synthetic_per_class=20)
    assert data.fingerprint() == synthetic.fingerprint()
    assert data.source.startswith("synthetic")


def test_bad_count_is_a_data_error():
    with pytest.raises(DataError, match="per_class"):
        make_synthetic(per_class=0)
