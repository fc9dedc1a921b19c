"""Sample-quality metrics on extracted features and logits.

- FID, Inception Score and KID through TF-GAN's `classifier_metrics` (see `tfgan_compat`).
- Improved precision and recall (Kynkäänniemi et al. 2019): k-nearest-neighbour balls around each
  real (generated) feature vector approximate the real (generated) manifold; precision is the share of
  generated samples inside the real manifold, recall the share of real samples inside the generated
  one. Distances are computed in row chunks (TensorFlow matmul + top-k), so 20,000 x 20,000 needs
  about 100 MB.
- Script quality from the digit classifier's logits: recognisable rate, class histogram, normalised
  class entropy and (for conditional generators) conditional accuracy.

Example:

>>> mu, sigma = feature_statistics(real_features)
>>> frechet_distance((mu, sigma), feature_statistics(fake_features))
"""

import numpy as np
import tensorflow as tf

from nepscript_keras.tfgan_compat import classifier_metrics

RECOGNISABLE_THRESHOLD = 0.9
KID_BLOCK_SIZE = 1024


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Returns the mean (d,) and unbiased covariance (d, d) of features (N, d), in float64."""
    x = np.asarray(features, np.float64)
    return x.mean(axis=0), np.cov(x, rowvar=False)


def frechet_distance(stats1: tuple[np.ndarray, np.ndarray], stats2: tuple[np.ndarray, np.ndarray]) -> float:
    """Fréchet distance between two Gaussians given as `(mean, covariance)`, via TF-GAN.

    Computes `|mu1 - mu2|^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2))` with TF-GAN's `trace_sqrt_product`
    (the same code as its `frechet_classifier_distance_from_activations`), so cached reference
    statistics can be reused.

    Args:
        stats1: `(mu, sigma)` of the first feature set, e.g. from `feature_statistics`.
        stats2: `(mu, sigma)` of the second.

    Returns:
        The FID (>= 0 up to rounding).
    """
    (mu1, sigma1), (mu2, sigma2) = stats1, stats2
    sqrt_trace = float(_trace_sqrt_product(tf.constant(sigma1, tf.float64), tf.constant(sigma2, tf.float64)))
    mean_term = float(np.sum(np.square(np.asarray(mu1, np.float64) - mu2)))
    return mean_term + float(np.trace(sigma1) + np.trace(sigma2)) - 2.0 * sqrt_trace


def inception_score(logits: np.ndarray) -> float:
    """Inception Score `exp(E[KL(p(y|x) || p(y))])` of logits (N, C), via TF-GAN (1 .. C)."""
    return float(classifier_metrics.classifier_score_from_logits(np.asarray(logits, np.float64)))


def kernel_distance(real: np.ndarray, fake: np.ndarray, *, seed: int = 0) -> tuple[float, float]:
    """KID (cubic polynomial kernel MMD², unbiased block estimator) via TF-GAN, with its standard error.

    Both sets are shuffled first (with `seed`), as TF-GAN's block estimator requires random order.

    Args:
        real: Real features (N, d).
        fake: Generated features (M, d).
        seed: Shuffle seed.

    Returns:
        `(kid, std)`; `std` is NaN when both sets fit in one block of 1024.
    """
    rng = np.random.default_rng(seed)
    real, fake = (tf.constant(x[rng.permutation(len(x))], tf.float64) for x in (real, fake))
    tf_logger, level = tf.get_logger(), tf.get_logger().level
    tf_logger.setLevel("ERROR")  # TF-GAN's map_fn(back_prop=False) logs a deprecation warning otherwise
    try:
        kid, std = _kid_and_std(real, fake)
    finally:
        tf_logger.setLevel(level)
    return float(kid), float(std)


def knn_radii(features: np.ndarray, k: int = 3, chunk_size: int = 1024) -> np.ndarray:
    """Distance from each feature vector to its k-th nearest other vector in the same set.

    Args:
        features: (N, d) array, N > k.
        k: Neighbour rank (3 in Kynkäänniemi et al.).
        chunk_size: Rows of the distance matrix held in memory at once.

    Returns:
        float32 array (N,) of Euclidean radii.
    """
    x = tf.constant(features, tf.float32)
    x_sq = tf.reduce_sum(tf.square(x), axis=1)
    chunks = [_kth_smallest(x[i : i + chunk_size], x, x_sq, k + 1) for i in range(0, len(features), chunk_size)]
    return np.sqrt(np.concatenate(chunks))  # the point itself is the nearest, hence k + 1


def precision_recall(
    real: np.ndarray,
    fake: np.ndarray,
    *,
    k: int = 3,
    real_radii: np.ndarray | None = None,
    chunk_size: int = 1024,
) -> tuple[float, float]:
    """Improved precision and recall of generated features against real ones (Kynkäänniemi et al. 2019).

    Args:
        real: Real features (N, d).
        fake: Generated features (M, d).
        k: Neighbour rank defining each manifold ball.
        real_radii: Precomputed `knn_radii(real, k)` (e.g. from cached reference statistics).
        chunk_size: Rows of the distance matrix held in memory at once.

    Returns:
        `(precision, recall)`, each in [0, 1].
    """
    real_r_sq = tf.constant(np.square(knn_radii(real, k, chunk_size) if real_radii is None else real_radii), tf.float32)
    fake_r_sq = tf.constant(np.square(knn_radii(fake, k, chunk_size)), tf.float32)
    real, fake = tf.constant(real, tf.float32), tf.constant(fake, tf.float32)
    real_sq = tf.reduce_sum(tf.square(real), axis=1)
    fake_in_real, real_in_fake = [], np.zeros(real.shape[0], bool)
    for i in range(0, fake.shape[0], chunk_size):
        inside, covered = _coverage(fake[i : i + chunk_size], fake_r_sq[i : i + chunk_size], real, real_sq, real_r_sq)
        fake_in_real.append(inside.numpy())
        real_in_fake |= covered.numpy()
    return float(np.concatenate(fake_in_real).mean()), float(real_in_fake.mean())


@tf.function(reduce_retracing=True, autograph=False)
def _squared_distances(rows, others, others_sq):
    rows_sq = tf.reduce_sum(tf.square(rows), axis=1, keepdims=True)
    return tf.maximum(rows_sq + others_sq[None, :] - 2.0 * tf.matmul(rows, others, transpose_b=True), 0.0)


@tf.function(reduce_retracing=True, autograph=False)
def _kth_smallest(rows, others, others_sq, k):
    """k-th smallest squared distance from each row to `others` (k counts from 1)."""
    return -tf.math.top_k(-_squared_distances(rows, others, others_sq), k).values[:, k - 1]


@tf.function(reduce_retracing=True, autograph=False)
def _coverage(rows, rows_r_sq, others, others_sq, others_r_sq):
    """(row inside some ball of `others`, each of `others` inside some ball of `rows`)."""
    d_sq = _squared_distances(rows, others, others_sq)
    return tf.reduce_any(d_sq <= others_r_sq[None, :], axis=1), tf.reduce_any(d_sq <= rows_r_sq[:, None], axis=0)


@tf.function(autograph=False)
def _trace_sqrt_product(sigma1, sigma2):
    return classifier_metrics.trace_sqrt_product(sigma1, sigma2)


@tf.function(autograph=False)  # no shape relaxation: TF-GAN needs the static feature dimension
def _kid_and_std(real, fake):
    # TF-GAN's block loop is a map_fn: about 25x faster traced than eager
    return classifier_metrics.kernel_classifier_distance_and_std_from_activations(real, fake, KID_BLOCK_SIZE)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax of logits (N, C), numerically stable, float64."""
    z = np.asarray(logits, np.float64)
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def script_quality(logits: np.ndarray, labels: np.ndarray | None = None) -> dict:
    """Nepali-script quality of samples from the digit classifier's logits.

    Args:
        logits: Digit-classifier logits (N, 10) of the samples.
        labels: Requested digit per sample (conditional generators), or None.

    Returns:
        Dict with `recognisable_rate` (share with max probability >= 0.9), `class_histogram` (share of
        samples per predicted digit, list of 10), `class_entropy` (entropy of that histogram / log 10:
        1.0 = all digits equally often, 0.0 = one digit only) and, when `labels` is given,
        `conditional_accuracy` (share classified as the requested digit).
    """
    probs = softmax(logits)
    predicted = probs.argmax(axis=1)
    histogram = np.bincount(predicted, minlength=probs.shape[1]) / len(predicted)
    nonzero = histogram[histogram > 0]
    result = {
        "recognisable_rate": float(np.mean(probs.max(axis=1) >= RECOGNISABLE_THRESHOLD)),
        "class_histogram": [float(h) for h in histogram],
        "class_entropy": max(0.0, float(-np.sum(nonzero * np.log(nonzero)) / np.log(probs.shape[1]))),
    }
    if labels is not None:
        result["conditional_accuracy"] = float(np.mean(predicted == np.asarray(labels).reshape(-1)))
    return result
