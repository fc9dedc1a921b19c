"""Feature extractors: image batches -> (features, logits) for FID, KID, IS and precision/recall.

Two extractors exist:

- `"dhcd-classifier"` (default): the Devanagari digit CNN of `classifier.py`, trained on the real data;
  128-d `features` layer and 10 digit logits.
- `"inception-v3"`: ImageNet InceptionV3 from `keras.applications` on 32x32 grayscale upsampled to
  299x299x3; 2048-d average-pool features and 1000 ImageNet logits (numbers comparable in kind with
  the seed's Inception-based FID/IS). Its weights must be in the Keras cache or downloadable.

Every extractor carries a `name` and a `fingerprint` (hash of its weights), which every report
records, so numbers from different networks are never mixed.

Example:

>>> extractor = get_extractor("dhcd-classifier", data)
>>> features, logits = extractor(images_uint8)
"""

import dataclasses
import functools

import numpy as np

from nepscript_keras.classifier import FEATURE_LAYER, get_classifier, weights_fingerprint
from nepscript_keras.data import DigitData
from nepscript_keras.errors import ConfigError
from nepscript_keras.images import to_float

EXTRACTORS = ("dhcd-classifier", "inception-v3")
INCEPTION_SIZE = 299
INCEPTION_BATCH_SIZE = 32  # 299x299x3 activations: bound memory regardless of the caller's batch size


@dataclasses.dataclass(frozen=True, eq=False)
class FeatureExtractor:
    """A named network mapping images to (features, logits).

    Args:
        name: Extractor name (one of `EXTRACTORS` for the built-in ones).
        fingerprint: 16-hex-digit hash of the network's weights.
        model: `keras.Model` taking float (N, 32, 32, 1) in [-1, 1] and returning `[features, logits]`.
        max_batch_size: Upper bound on images per forward pass.
    """

    name: str
    fingerprint: str
    model: object
    max_batch_size: int = 2000

    def __call__(self, images: np.ndarray, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
        """Extracts features and logits of uint8 images (N, 32, 32), batch by batch.

        Args:
            images: uint8 array (N, 32, 32).
            batch_size: Images per forward pass (capped at `max_batch_size`).

        Returns:
            `(features, logits)`: float32 arrays (N, feature_dim) and (N, num_classes).
        """
        step = max(1, min(batch_size, self.max_batch_size))
        outputs = [self.model.predict_on_batch(to_float(images[i : i + step])) for i in range(0, len(images), step)]
        features, logits = (np.concatenate([np.asarray(o[j]) for o in outputs]).astype(np.float32) for j in (0, 1))
        return features, logits


@functools.lru_cache(maxsize=8)
def classifier_extractor(classifier) -> FeatureExtractor:
    """Wraps a digit classifier (see `classifier.build_classifier`) as the `"dhcd-classifier"` extractor.

    Wrappers are memoised per model, so repeated evaluations reuse one compiled predict function.
    """
    import keras

    model = keras.Model(classifier.inputs, [classifier.get_layer(FEATURE_LAYER).output, classifier.outputs[0]])
    return FeatureExtractor("dhcd-classifier", weights_fingerprint(classifier), model)


def inception_extractor(weights: str | None = "imagenet") -> FeatureExtractor:
    """Builds the `"inception-v3"` extractor: 32x32 gray -> 299x299x3 -> InceptionV3 pool features and logits.

    Args:
        weights: `"imagenet"` (from the Keras cache, downloaded if missing), a path to an InceptionV3
            weights `.h5` file, or None for random weights (only useful to test the code path).

    Returns:
        A `FeatureExtractor` with 2048-d features and 1000 logits.

    Raises:
        ConfigError: (one line) if the requested weights are unavailable.
    """
    import keras

    try:
        base = keras.applications.InceptionV3(include_top=True, weights=weights, classifier_activation=None)
    except Exception as e:  # download failures (URLError, HTTP errors) and missing files surface as many types
        reason = " ".join(str(e).split())[:200]
        raise ConfigError(
            f"InceptionV3 weights {weights!r} are unavailable ({reason}); copy "
            "inception_v3_weights_tf_dim_ordering_tf_kernels.h5 into ~/.keras/models/ from a machine with "
            "internet, or use --extractor dhcd-classifier"
        ) from e
    two_headed = keras.Model(base.inputs, [base.get_layer("avg_pool").output, base.outputs[0]])
    images = keras.Input((32, 32, 1), name="image")
    resized = keras.layers.Resizing(INCEPTION_SIZE, INCEPTION_SIZE, interpolation="bilinear")(images)
    rgb = keras.layers.Concatenate()([resized, resized, resized])
    model = keras.Model(images, two_headed(rgb), name="inception_v3_extractor")
    return FeatureExtractor("inception-v3", weights_fingerprint(base), model, INCEPTION_BATCH_SIZE)


def get_extractor(name: str, data: DigitData, *, weights: str | None = "imagenet") -> FeatureExtractor:
    """Returns the extractor called `name`.

    Args:
        name: `"dhcd-classifier"` or `"inception-v3"`.
        data: Real digits (the classifier is trained on them once and cached).
        weights: InceptionV3 weights (see `inception_extractor`); ignored for the classifier.

    Returns:
        The `FeatureExtractor`.

    Raises:
        ConfigError: for an unknown name or unavailable Inception weights.
    """
    check_extractor_name(name)
    if name == "dhcd-classifier":
        return classifier_extractor(get_classifier(data))
    return inception_extractor(weights)


def check_extractor_name(name: str) -> None:
    """Raises a one-line `ConfigError` unless `name` is one of `EXTRACTORS`."""
    if name not in EXTRACTORS:
        raise ConfigError(f"unknown extractor {name!r}; choose one of {', '.join(EXTRACTORS)}")
