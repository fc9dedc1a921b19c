"""`evaluate`: every quality number of a generator (or a set of samples) against the real digits.

Pipeline: sample uint8 images from the generator (seeded N(0, 1) latents, batched) -> features and
logits from the chosen extractor -> FID / KID / precision-recall against the real data's reference
features (computed once per extractor and data, cached under `io_utils.cache_dir("reference_stats")`)
-> Inception Score from the extractor's logits -> script quality from the digit classifier's logits.

Example:

>>> data = load_digits("dhcd_digits_train.npz")
>>> result = evaluate(load_generator("generator.keras"), data, num_samples=20000)
>>> result["fid"], result["recognisable_rate"]
"""

import logging
import os
import time

import numpy as np

from nepscript_keras import io_utils, metrics
from nepscript_keras.classifier import get_classifier
from nepscript_keras.data import DigitData
from nepscript_keras.errors import ConfigError, DataError
from nepscript_keras.extractors import FeatureExtractor, check_extractor_name, classifier_extractor, get_extractor

logger = logging.getLogger(__name__)

K_NEIGHBOURS = 3
MIN_SAMPLES = K_NEIGHBOURS + 1

_LOADED: dict = {}  # cache path -> reference statistics already read in this process (the latest one)


def evaluate(
    generator_or_samples,
    data: DigitData,
    num_samples: int = 20000,
    extractor: str | FeatureExtractor = "dhcd-classifier",
    *,
    batch_size: int = 500,
    seed: int = 0,
    labels: np.ndarray | None = None,
) -> dict:
    """Evaluates generated digits against the real digits.

    Args:
        generator_or_samples: A generator `keras.Model` (input z (latent_dim,) [+ label (1,)], output
            (N, 32, 32, 1) in [-1, 1]) or uint8 samples (N, 32, 32).
        data: The real reference digits; the digit classifier for them is trained once and cached.
        num_samples: Images to generate (for samples: the first `num_samples` are used).
        extractor: `"dhcd-classifier"`, `"inception-v3"` or a `FeatureExtractor`.
        batch_size: Images per forward pass.
        seed: Latent seed for sampling (and the KID shuffle).
        labels: Requested digit per sample: conditional generators (default 0..9 repeated), or the
            labels belonging to given samples; enables `conditional_accuracy`.

    Returns:
        A dict of plain Python values: `fid`, `inception_score`, `kid`, `kid_std` (None with one KID
        block), `precision`, `recall`, `recognisable_rate`, `class_entropy`, `class_histogram`
        (10 shares), [`conditional_accuracy`], `num_samples`, `num_reference`, `extractor`,
        `extractor_fingerprint`, `classifier_fingerprint`, `data_fingerprint`, `seed`, `seconds`.

    Raises:
        DataError: for samples that are not uint8 (N, 32, 32) or fewer than 4.
        ConfigError: for an unknown extractor, unavailable Inception weights or `num_samples` < 4.
    """
    start = time.time()
    if isinstance(extractor, str):
        check_extractor_name(extractor)
    samples, labels = _draw_samples(generator_or_samples, num_samples, batch_size, seed, labels)
    classifier = classifier_extractor(get_classifier(data))
    if isinstance(extractor, str):
        extractor = classifier if extractor == classifier.name else get_extractor(extractor, data)
    logger.info("extracting %s features of %d samples", extractor.name, len(samples))
    features, logits = extractor(samples, batch_size)
    digit_logits = logits if extractor is classifier else classifier(samples, batch_size)[1]
    reference = reference_statistics(data, extractor, batch_size=batch_size)
    result = {
        **distribution_metrics(reference, features, seed=seed),
        "inception_score": metrics.inception_score(logits),
        **metrics.script_quality(digit_logits, labels),
    }
    result.update(
        num_samples=len(samples),
        num_reference=len(reference["features"]),
        extractor=extractor.name,
        extractor_fingerprint=extractor.fingerprint,
        classifier_fingerprint=classifier.fingerprint,
        data_fingerprint=data.fingerprint(),
        seed=seed,
        seconds=round(time.time() - start, 3),
    )
    return result


def distribution_metrics(reference: dict, features: np.ndarray, *, seed: int = 0) -> dict:
    """FID, KID and precision/recall of sample features against `reference_statistics` output."""
    logger.info("computing FID, KID and precision/recall")
    kid, kid_std = metrics.kernel_distance(reference["features"], features, seed=seed)
    precision, recall = metrics.precision_recall(
        reference["features"], features, k=K_NEIGHBOURS, real_radii=reference["radii"]
    )
    return {
        "fid": metrics.frechet_distance((reference["mu"], reference["sigma"]), metrics.feature_statistics(features)),
        "kid": kid,
        "kid_std": kid_std if np.isfinite(kid_std) else None,
        "precision": precision,
        "recall": recall,
    }


def reference_statistics(data: DigitData, extractor: FeatureExtractor, *, batch_size: int = 500) -> dict:
    """Returns the real data's features, their mean/covariance and k-NN radii, cached per extractor and data.

    Args:
        data: Real digits.
        extractor: Feature extractor (its fingerprint is part of the cache key).
        batch_size: Images per forward pass when computing.

    Returns:
        Dict of arrays: `features` (N, d) float32, `mu` (d,), `sigma` (d, d), `radii` (N,). The latest
        set is also kept in memory, so the trials of a search read it once.
    """
    name = f"{extractor.name}-{extractor.fingerprint}-{data.fingerprint()}-k{K_NEIGHBOURS}.npz"
    path = os.path.join(io_utils.cache_dir("reference_stats"), name)
    if path not in _LOADED:
        _LOADED.clear()  # keep one set in memory: a search evaluates every trial against the same data
        _LOADED[path] = _load_or_compute_statistics(path, data, extractor, batch_size)
    return _LOADED[path]


def _load_or_compute_statistics(path: str, data: DigitData, extractor: FeatureExtractor, batch_size: int) -> dict:
    if os.path.exists(path):
        with np.load(path) as cached:
            return {key: cached[key] for key in cached.files}
    logger.info("computing reference statistics of %d real digits (cached for next time)", len(data))
    features, _ = extractor(data.images, batch_size)
    mu, sigma = metrics.feature_statistics(features)
    stats = {"features": features, "mu": mu, "sigma": sigma, "radii": metrics.knn_radii(features, K_NEIGHBOURS)}
    with io_utils.atomic_path(path) as tmp:
        np.savez(tmp, **stats)
    return stats


def _draw_samples(generator_or_samples, num_samples: int, batch_size: int, seed: int, labels):
    """Returns `(uint8 samples, labels or None)` from a generator or a sample array."""
    from nepscript_keras.models import default_labels, generate_images, generator_spec

    if num_samples < MIN_SAMPLES:
        raise ConfigError(f"num_samples must be at least {MIN_SAMPLES} (k-NN precision/recall uses k={K_NEIGHBOURS}), got {num_samples}")
    if isinstance(generator_or_samples, np.ndarray):
        samples = _check_samples(generator_or_samples)[:num_samples]
        return samples, None if labels is None else np.asarray(labels)[: len(samples)]
    if generator_spec(generator_or_samples)[1] and labels is None:
        labels = default_labels(num_samples)
    logger.info("generating %d samples", num_samples)
    images = generate_images(generator_or_samples, num_samples, seed=seed, labels=labels, batch_size=batch_size)
    return images, labels


def _check_samples(samples: np.ndarray) -> np.ndarray:
    if samples.dtype != np.uint8 or samples.ndim != 3 or samples.shape[1:] != (32, 32) or len(samples) < MIN_SAMPLES:
        raise DataError(
            f"samples must be at least {MIN_SAMPLES} uint8 images of shape (N, 32, 32), got {samples.dtype} {samples.shape}; "
            "convert generator output with nepscript_keras.to_uint8"
        )
    return samples


def load_samples(path: str | os.PathLike) -> tuple[np.ndarray, np.ndarray | None]:
    """Reads samples written by `nepscript-keras generate --output X.npz`.

    Args:
        path: `.npz` with uint8 `images` (N, 32, 32) and optional int `labels` (N,).

    Returns:
        `(images, labels or None)`.

    Raises:
        DataError: (one line) if the file is missing, unreadable or lacks `images`.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise DataError(f"samples file {path} does not exist; write one with `nepscript-keras generate --output X.npz`")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError) as e:
        raise DataError(f"{path}: not a readable .npz file ({e}); write it with `nepscript-keras generate`") from e
    if "images" not in arrays:
        raise DataError(f"{path} has no 'images' array (found {sorted(arrays)}); write it with `nepscript-keras generate`")
    return _check_samples(arrays["images"]), arrays.get("labels")
