"""The TF-GAN compat loader: loads without the package __init__ and agrees with NumPy/SciPy."""

import sys

import numpy as np
import pytest
import scipy.linalg

from nepscript_keras import metrics
from nepscript_keras.tfgan_compat import classifier_metrics, load_classifier_metrics


@pytest.fixture(scope="module")
def activations():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 16))
    fake = rng.normal(loc=0.3, scale=1.5, size=(300, 16)) @ rng.normal(size=(16, 16)) / 4
    return real, fake


def scipy_fid(a, b):
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean))


def numpy_kid(a, b):
    """Unbiased MMD^2 with k(x, y) = (x.y / d + 1)^3 (one block, as TF-GAN uses for n <= 1024)."""
    d = a.shape[1]
    k = lambda x, y: (x @ y.T / d + 1) ** 3  # noqa: E731
    kxx, kyy, kxy = k(a, a), k(b, b), k(a, b)
    m, n = len(a), len(b)
    return (kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.mean()


def test_loads_the_eval_module_without_the_package_init():
    assert classifier_metrics.__name__ == "tensorflow_gan.python.eval.classifier_metrics"
    assert load_classifier_metrics() is classifier_metrics
    # the package __init__ (which needs tf.estimator) never ran, so its public names are absent
    assert not hasattr(sys.modules["tensorflow_gan"], "estimator")


def test_fid_matches_scipy_sqrtm(activations):
    real, fake = activations
    expected = scipy_fid(real, fake)
    tfgan = float(classifier_metrics.frechet_classifier_distance_from_activations(real, fake))
    from_stats = metrics.frechet_distance(metrics.feature_statistics(real), metrics.feature_statistics(fake))
    assert tfgan == pytest.approx(expected, rel=1e-7)
    assert from_stats == pytest.approx(expected, rel=1e-7)


def test_fid_of_identical_statistics_is_zero(activations):
    stats = metrics.feature_statistics(activations[0])
    assert abs(metrics.frechet_distance(stats, stats)) < 1e-6


def test_kid_matches_numpy_unbiased_mmd(activations):
    real, fake = activations
    kid, std = metrics.kernel_distance(real, fake, seed=0)
    assert kid == pytest.approx(numpy_kid(real, fake), rel=1e-6)
    assert np.isnan(std)  # a single block has no spread estimate


def test_inception_score_matches_numpy():
    logits = np.random.default_rng(1).normal(scale=3.0, size=(500, 10))
    p = metrics.softmax(logits)
    q = p.mean(axis=0)
    expected = np.exp(np.mean(np.sum(p * (np.log(p) - np.log(q)), axis=1)))
    assert metrics.inception_score(logits) == pytest.approx(expected, rel=1e-9)
