"""Metric functions on synthetic features and logits (no networks involved)."""

import numpy as np
import pytest
import scipy.spatial.distance

from nepscript_keras import metrics


@pytest.fixture(scope="module")
def clouds():
    rng = np.random.default_rng(0)
    return rng.normal(size=(300, 8)).astype(np.float32), rng.normal(size=(250, 8)).astype(np.float32)


def test_knn_radii_match_brute_force(clouds):
    x = clouds[0]
    brute = np.sort(scipy.spatial.distance.cdist(x, x), axis=1)[:, 3]  # column 0 is the point itself
    np.testing.assert_allclose(metrics.knn_radii(x, k=3, chunk_size=64), brute, rtol=1e-4, atol=1e-4)


def test_precision_recall_do_not_depend_on_chunking(clouds):
    real, fake = clouds
    assert metrics.precision_recall(real, fake, chunk_size=7) == metrics.precision_recall(real, fake, chunk_size=4096)


def test_same_distribution_gives_precision_and_recall_near_one(clouds):
    precision, recall = metrics.precision_recall(*clouds)
    assert precision > 0.8 and recall > 0.8


def test_distant_samples_give_zero_precision_and_recall(clouds):
    real, fake = clouds
    assert metrics.precision_recall(real, fake + 100.0) == (0.0, 0.0)


def test_collapsed_samples_have_full_precision_but_tiny_recall(clouds):
    real = clouds[0]
    collapsed = np.repeat(real[:1], 200, axis=0)  # mode collapse onto one real point
    precision, recall = metrics.precision_recall(real, collapsed)
    assert precision == 1.0 and recall < 0.05


def test_precomputed_real_radii_give_the_same_result(clouds):
    real, fake = clouds
    radii = metrics.knn_radii(real, k=3)
    assert metrics.precision_recall(real, fake, real_radii=radii) == metrics.precision_recall(real, fake)


def one_hot_logits(labels, scale):
    return scale * np.eye(10)[labels]


@pytest.mark.parametrize("scale,low", [(5.0, 5.0), (10.0, 9.5), (20.0, 9.99)])
def test_inception_score_of_confident_balanced_predictions_approaches_ten(scale, low):
    score = metrics.inception_score(one_hot_logits(np.arange(1000) % 10, scale))
    assert low < score <= 10.0


def test_inception_score_of_one_class_is_one():
    assert metrics.inception_score(one_hot_logits(np.zeros(100, int), 20.0)) == pytest.approx(1.0)


def test_script_quality_of_balanced_confident_predictions():
    labels = np.arange(200) % 10
    quality = metrics.script_quality(one_hot_logits(labels, 20.0), labels)
    assert quality["recognisable_rate"] == 1.0
    assert quality["class_histogram"] == pytest.approx([0.1] * 10)
    assert quality["class_entropy"] == pytest.approx(1.0)
    assert quality["conditional_accuracy"] == 1.0


def test_script_quality_of_a_collapsed_unsure_generator():
    logits = np.zeros((50, 10))
    logits[:, 3] = 1.0  # always digit 3, with probability 0.23
    quality = metrics.script_quality(logits, np.full(50, 7))
    assert quality["recognisable_rate"] == 0.0
    assert quality["class_histogram"][3] == 1.0
    assert quality["class_entropy"] == 0.0
    assert quality["conditional_accuracy"] == 0.0
    assert "conditional_accuracy" not in metrics.script_quality(logits)
