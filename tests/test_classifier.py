"""The Devanagari digit classifier: trained once per data fingerprint, cached, deterministic."""

import json

import numpy as np
import pytest

from nepscript_keras import classifier
from nepscript_keras.cli import main
from nepscript_keras.errors import ModelFileError
from nepscript_keras.images import to_float


@pytest.fixture(scope="module")
def trained(small_digits):
    """The classifier evaluate() uses for the 300-digit subset (trained once per test session)."""
    return classifier.get_classifier(small_digits)


def test_classifier_is_trained_cached_and_recorded(trained, small_digits):
    record = classifier.classifier_record(small_digits)
    assert record["data_fingerprint"] == small_digits.fingerprint()
    assert record["holdout_size"] == 30 and record["train_size"] == 270
    assert record["holdout_accuracy"] > 0.8  # 10 classes: chance is 0.1
    assert classifier.get_classifier(small_digits) is trained
    reloaded = classifier.load_classifier(record["path"])
    assert classifier.weights_fingerprint(reloaded) == record["fingerprint"] == classifier.weights_fingerprint(trained)


def test_classifier_outputs_logits_and_a_feature_layer(trained, small_digits):
    x = to_float(small_digits.images[:5])
    assert trained.predict_on_batch(x).shape == (5, 10)
    assert tuple(trained.get_layer(classifier.FEATURE_LAYER).output.shape) == (None, 128)


def test_training_is_deterministic_for_a_seed(small_digits):
    tiny = small_digits.subset(10, seed=3)
    fingerprints = {
        classifier.train_classifier(tiny, seed=seed, epochs=1, min_steps=0)[1]["fingerprint"] for seed in (7, 7, 8)
    }
    assert len(fingerprints) == 2  # seed 7 twice gives identical weights, seed 8 differs


def test_corrupt_classifier_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "broken.keras"
    path.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="delete it to retrain") as info:
        classifier.load_classifier(path)
    assert "\n" not in str(info.value)


def test_cli_info_and_train(trained, small_digits, tmp_path, capsys):
    npz = tmp_path / "digits.npz"
    np.savez(npz, images=small_digits.images, labels=small_digits.labels)
    assert main(["classifier", "info", "--data", str(npz), "--seed", "5"]) == 2
    assert "classifier train" in capsys.readouterr().err
    assert main(["classifier", "train", "--data", str(npz)]) == 0  # cached: nothing to train
    record = json.loads(capsys.readouterr().out)
    assert record["fingerprint"] == classifier.weights_fingerprint(trained)


@pytest.mark.slow
def test_full_dhcd_classifier_reaches_99_percent_on_its_holdout(dhcd):
    _, record = classifier.train_classifier(dhcd)
    assert record["holdout_size"] == 1700
    assert record["holdout_accuracy"] >= 0.99
