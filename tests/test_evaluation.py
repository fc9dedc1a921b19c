"""evaluate(): real vs real, noise and collapsed samples, real tiny generators, extractors and the CLI."""

import json
import os

import numpy as np
import pytest

from nepscript_keras import evaluation, extractors, io_utils
from nepscript_keras.cli import main
from nepscript_keras.errors import ConfigError, DataError
from nepscript_keras.models import build_generator

KEYS = {
    "fid", "inception_score", "kid", "kid_std", "precision", "recall", "recognisable_rate", "class_entropy",
    "class_histogram", "num_samples", "num_reference", "extractor", "extractor_fingerprint",
    "classifier_fingerprint", "data_fingerprint", "seed", "seconds",
}


@pytest.fixture(scope="module")
def other_real(dhcd):
    """300 more real digits, drawn independently of the reference subset."""
    return dhcd.subset(30, seed=1).images


@pytest.fixture(scope="module")
def real_vs_real(small_digits, other_real):
    return evaluation.evaluate(other_real, small_digits, num_samples=300)


@pytest.fixture(scope="module")
def real_vs_noise(small_digits):
    noise = np.random.default_rng(0).integers(0, 256, size=(300, 32, 32), dtype=np.uint8)
    return evaluation.evaluate(noise, small_digits, num_samples=300)


@pytest.fixture(scope="module")
def real_vs_one_image(small_digits, other_real):
    return evaluation.evaluate(np.repeat(other_real[:1], 300, axis=0), small_digits, num_samples=300)


def test_real_vs_real_is_close(real_vs_real, real_vs_noise, real_vs_one_image):
    assert set(real_vs_real) == KEYS
    assert real_vs_real["fid"] < 0.1 * min(real_vs_noise["fid"], real_vs_one_image["fid"])
    assert real_vs_real["precision"] > 0.8 and real_vs_real["recall"] > 0.8
    assert real_vs_real["class_entropy"] > 0.95 and real_vs_real["recognisable_rate"] > 0.8
    assert real_vs_real["inception_score"] > 7.0


def test_noise_is_far_unrecognisable_and_uncovered(real_vs_real, real_vs_noise):
    assert real_vs_noise["fid"] > 10 * real_vs_real["fid"]
    assert real_vs_noise["kid"] > real_vs_real["kid"]
    assert real_vs_noise["recall"] < 0.1
    assert real_vs_noise["recognisable_rate"] < 0.2
    assert real_vs_noise["class_entropy"] < 0.8 * real_vs_real["class_entropy"]
    # Not asserted: precision. With only 300 reference digits, a few faint real outliers have large
    # k-NN balls that swallow the tight cluster of noise features (a known weakness of the metric).


def test_single_repeated_image_has_no_diversity(real_vs_real, real_vs_one_image):
    assert real_vs_one_image["fid"] > 10 * real_vs_real["fid"]
    assert real_vs_one_image["recall"] < 0.05
    assert real_vs_one_image["class_entropy"] == 0.0
    assert max(real_vs_one_image["class_histogram"]) == 1.0
    assert real_vs_one_image["inception_score"] == pytest.approx(1.0, abs=1e-6)


def test_reference_statistics_are_cached(real_vs_real, small_digits):
    stats_dir = io_utils.cache_dir("reference_stats")
    cached = [name for name in os.listdir(stats_dir) if small_digits.fingerprint() in name]
    assert len(cached) == 1 and cached[0].startswith("dhcd-classifier-")
    extractor = extractors.get_extractor("dhcd-classifier", small_digits)
    stats = evaluation.reference_statistics(small_digits, extractor)
    assert stats["features"].shape == (300, 128) and stats["sigma"].shape == (128, 128)


def test_tiny_generator_returns_every_key(small_digits):
    generator = build_generator(latent_dim=16, width=8)
    result = evaluation.evaluate(generator, small_digits, num_samples=100, batch_size=64, seed=3)
    assert set(result) == KEYS and result["num_samples"] == 100
    assert len(result["class_histogram"]) == 10 and sum(result["class_histogram"]) == pytest.approx(1.0)
    assert result == {**evaluation.evaluate(generator, small_digits, num_samples=100, seed=3), "seconds": result["seconds"]}
    json.dumps(result, allow_nan=False)


def test_conditional_generator_reports_conditional_accuracy(small_digits):
    generator = build_generator(latent_dim=16, width=8, conditional=True)
    result = evaluation.evaluate(generator, small_digits, num_samples=100)
    assert 0.0 <= result["conditional_accuracy"] <= 1.0


def test_bad_samples_and_extractor_are_one_line_errors(small_digits):
    with pytest.raises(DataError, match="uint8"):
        evaluation.evaluate(np.zeros((10, 32, 32), np.float32), small_digits, num_samples=10)
    with pytest.raises(ConfigError, match="unknown extractor 'lenet'"):
        evaluation.evaluate(small_digits.images, small_digits, extractor="lenet")


def test_inception_path_with_random_weights(small_digits):
    extractor = extractors.inception_extractor(weights=None)
    features, logits = extractor(small_digits.images[:3], batch_size=500)
    assert features.shape == (3, 2048) and logits.shape == (3, 1000)
    assert extractor.name == "inception-v3" and len(extractor.fingerprint) == 16


def test_unavailable_inception_weights_are_a_one_line_error(tmp_path):
    with pytest.raises(ConfigError, match="--extractor dhcd-classifier") as info:
        extractors.inception_extractor(weights=str(tmp_path / "missing_inception.h5"))
    assert "\n" not in str(info.value)


@pytest.fixture(scope="module")
def cli_files(small_digits, other_real, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    np.savez(folder / "real.npz", images=small_digits.images, labels=small_digits.labels)
    np.savez(folder / "samples.npz", images=other_real)
    (folder / "broken.keras").write_bytes(b"not a keras file")
    return folder


def test_cli_prints_a_table_and_writes_json(cli_files, real_vs_real, capsys):
    out = cli_files / "metrics.json"
    args = ["evaluate", "--samples", str(cli_files / "samples.npz"), "--data", str(cli_files / "real.npz")]
    assert main([*args, "--num-samples", "300", "--output", str(out)]) == 0
    assert "recognisable_rate" in capsys.readouterr().out
    written = json.loads(out.read_text())
    assert {**written, "seconds": 0} == {**real_vs_real, "seconds": 0}


@pytest.mark.parametrize(
    "flags,message",
    [
        (["--model", "broken.keras"], "cannot load"),
        (["--samples", "missing.npz"], "does not exist"),
        (["--samples", "samples.npz", "--extractor", "lenet"], "unknown extractor"),
    ],
)
def test_cli_errors_are_one_line(cli_files, capsys, flags, message):
    flags = [str(cli_files / f) if f.endswith((".keras", ".npz")) else f for f in flags]
    assert main(["evaluate", *flags, "--data", str(cli_files / "real.npz")]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err and err.startswith("nepscript-keras evaluate: error:")
