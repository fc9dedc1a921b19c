"""The Devanagari digit classifier: the default feature extractor for evaluation.

A small CNN (three conv/pool stages, a 128-unit `features` layer, 10 `logits`) trained on the real
digits. It is trained once per (data fingerprint, seed, epochs) and cached as a `.keras` file under
`io_utils.cache_dir("classifiers")`, next to a JSON record of how it was trained and its accuracy on a
stratified held-out split of that data that it did not train on.

Example:

>>> data = load_digits("dhcd_digits_train.npz")
>>> model = get_classifier(data)          # trains on first use, then loads from the cache
>>> classifier_record(data)["holdout_accuracy"]
"""

import hashlib
import json
import logging
import math
import os
import time

import numpy as np

from nepscript_keras import io_utils
from nepscript_keras.data import NUM_CLASSES, DigitData
from nepscript_keras.errors import ModelFileError
from nepscript_keras.images import to_float

ARCHITECTURE = "dhcd-cnn-v1"
FEATURE_LAYER = "features"
DEFAULT_EPOCHS = 8
HOLDOUT_FRACTION = 0.1
BATCH_SIZE = 64
MIN_STEPS = 300  # small data sets get more epochs, so every classifier sees at least this many updates

logger = logging.getLogger(__name__)

_LOADED: dict = {}  # cache path -> model already loaded in this process


def build_classifier():
    """Builds the (untrained, compiled) digit CNN.

    Returns:
        A `keras.Model` named `"dhcd_classifier"`: input float (N, 32, 32, 1) in [-1, 1], output
        (N, 10) logits; its layer `"features"` is the 128-d penultimate feature layer.
    """
    import keras

    layers = keras.layers
    inputs = keras.Input((32, 32, 1), name="image")
    x = inputs
    for filters in (32, 32, 64):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    features = layers.Dense(128, activation="relu", name=FEATURE_LAYER)(layers.Flatten()(x))
    logits = layers.Dense(NUM_CLASSES, name="logits")(layers.Dropout(0.3)(features))
    model = keras.Model(inputs, logits, name="dhcd_classifier")
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def train_classifier(
    data: DigitData, *, seed: int = 0, epochs: int = DEFAULT_EPOCHS, min_steps: int = MIN_STEPS, verbose: int = 0
):
    """Trains the CNN on `data` minus a stratified 10% holdout and measures accuracy on the holdout.

    Training is seeded through `keras.utils.set_random_seed(seed)` (which also seeds Python's,
    NumPy's and TensorFlow's global generators).

    Args:
        data: Real digits.
        seed: Seed for the holdout split, initialisation and shuffling.
        epochs: Passes over the training part (raised for small data to reach `min_steps` updates).
        min_steps: Least number of weight updates.
        verbose: Keras `fit` verbosity.

    Returns:
        `(model, record)`: the trained model and a dict describing it (`holdout_accuracy`, sizes,
        epochs, seconds, `fingerprint` of the weights).
    """
    import keras

    start = time.time()
    train, holdout = data.split_holdout(HOLDOUT_FRACTION, seed=seed)
    steps_per_epoch = math.ceil(len(train) / BATCH_SIZE)
    epochs_run = max(epochs, math.ceil(min_steps / steps_per_epoch))
    keras.utils.set_random_seed(seed)
    model = build_classifier()
    model.fit(
        to_float(train.images), train.labels, batch_size=BATCH_SIZE, epochs=epochs_run, shuffle=True, verbose=verbose
    )
    record = {
        "architecture": ARCHITECTURE,
        "data_fingerprint": data.fingerprint(),
        "data_source": data.source,
        "seed": seed,
        "epochs": epochs_run,
        "train_size": len(train),
        "holdout_size": len(holdout),
        "holdout_accuracy": classifier_accuracy(model, holdout),
        "fingerprint": weights_fingerprint(model),
        "train_seconds": round(time.time() - start, 2),
    }
    return model, record


def get_classifier(data: DigitData, *, seed: int = 0, epochs: int = DEFAULT_EPOCHS, verbose: int = 0):
    """Returns the cached classifier for `data`, training and caching it on first use.

    The model is kept in memory too, so repeated calls in one process (a search) load it once.

    Args:
        data: Real digits (the cache key is their fingerprint).
        seed: Training seed.
        epochs: Training epochs (part of the cache key).
        verbose: Keras `fit` verbosity when it has to train.

    Returns:
        The trained `keras.Model` (logits output, `"features"` layer).
    """
    path = _cache_path(data, seed, epochs)
    if path not in _LOADED:
        if os.path.exists(path) and os.path.exists(_record_path(path)):
            _LOADED[path] = load_classifier(path)
        else:
            logger.info("training the digit classifier on %d digits (first use of this data; cached afterwards)", len(data))
            model, record = train_classifier(data, seed=seed, epochs=epochs, verbose=verbose)
            with io_utils.atomic_path(path) as tmp:
                model.save(tmp)
            io_utils.write_json(_record_path(path), {**record, "path": path})
            _LOADED[path] = model
    return _LOADED[path]


def classifier_record(data: DigitData, *, seed: int = 0, epochs: int = DEFAULT_EPOCHS) -> dict | None:
    """Returns the training record of the cached classifier for `data`, or None if not trained yet."""
    record_path = _record_path(_cache_path(data, seed, epochs))
    if not os.path.exists(record_path):
        return None
    with open(record_path, encoding="utf-8") as f:
        return json.load(f)


def load_classifier(path: str | os.PathLike):
    """Loads a saved classifier, raising a one-line `ModelFileError` if it is unreadable."""
    import keras

    try:
        return keras.models.load_model(path)
    except Exception as e:  # Keras raises many types for corrupt files.
        raise ModelFileError(f"cannot load classifier {path}: {e}; delete it to retrain") from e


def classifier_accuracy(model, data: DigitData, batch_size: int = 500) -> float:
    """Returns the fraction of `data` the classifier labels correctly."""
    logits = model.predict(to_float(data.images), batch_size=batch_size, verbose=0)
    return float(np.mean(np.argmax(logits, axis=1) == data.labels))


def weights_fingerprint(model) -> str:
    """Returns a 16-hex-digit hash of a model's weights (identifies the exact network)."""
    digest = hashlib.sha256(model.name.encode())
    for weight in model.get_weights():
        digest.update(np.ascontiguousarray(weight, dtype=np.float32).tobytes())
    return digest.hexdigest()[:16]


def _cache_path(data: DigitData, seed: int, epochs: int) -> str:
    name = f"{ARCHITECTURE}-{data.fingerprint()}-seed{seed}-epochs{epochs}.keras"
    return os.path.join(io_utils.cache_dir("classifiers"), name)


def _record_path(model_path: str) -> str:
    return os.path.splitext(model_path)[0] + ".json"
