"""Bad input through `nepscript_keras.cli.main`: exit status 2, one line on stderr, no traceback.

`tune`'s unknown tuner/budget/space and non-positive --max-trials/--epochs are tested in
tests/test_cli_tune.py::test_bad_input_exits_2_with_one_line.
"""

import json

import numpy as np
import pytest

from nepscript_keras.cli import main
from nepscript_keras.models import build_discriminator, build_generator


def assert_one_line_error(capsys, command, *fragments):
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"nepscript-keras {command}: error:"), err
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """Corrupt and wrong model files: garbage bytes, a truncated generator, a discriminator, a PNG."""
    folder = tmp_path_factory.mktemp("models")
    (folder / "garbage.keras").write_bytes(b"this is not a zip archive")
    (folder / "samples.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    build_generator(width=8).save(folder / "generator.keras")
    whole = (folder / "generator.keras").read_bytes()
    (folder / "truncated.keras").write_bytes(whole[: len(whole) // 2])
    build_discriminator(width=8).save(folder / "discriminator.keras")
    return folder


@pytest.fixture(scope="module")
def data_files(tmp_path_factory):
    """Digit files with the wrong content: 28x28 images, no labels, not an archive."""
    folder = tmp_path_factory.mktemp("data")
    np.savez(folder / "wrong_shape.npz", images=np.zeros((20, 28, 28), np.uint8), labels=np.zeros(20, np.int64))
    np.savez(folder / "no_labels.npz", images=np.zeros((20, 32, 32), np.uint8))
    (folder / "text.npz").write_text("images,labels\n")
    return folder


@pytest.mark.parametrize("name, message", [
    ("garbage.keras", "corrupt or not a Keras model"),
    ("truncated.keras", "corrupt or not a Keras model"),
    ("discriminator.keras", "not a generator"),
    ("samples.png", "is not a Keras model file (.keras)"),
    ("missing.keras", "does not exist"),
])
@pytest.mark.parametrize("command", ["generate", "evaluate"])
def test_bad_model_file(command, name, message, model_files, tmp_path, capsys):
    path = str(model_files / name)
    extra = ["--output", str(tmp_path / "x.png")] if command == "generate" else ["--num-samples", "10"]
    assert main([command, "--model", path, *extra]) == 2
    assert_one_line_error(capsys, command, name, message)
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize("content, message", [
    ({"latent_dim": 64, "colour": "red"}, "unknown hyperparameter 'colour'"),
    ({"latent_dim": 65}, "latent_dim=65 is outside"),
    ({"dropout_rate": 0.9}, "dropout_rate=0.9 is outside"),
    ({"norm_type": "layer"}, "norm_type='layer' is outside"),
    ([64, "batch"], "hparams.json"),
    ("{not json", "hparams.json"),
])
def test_bad_hparams_file_to_train(content, message, tmp_path, capsys):
    path = tmp_path / "hparams.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    out = tmp_path / "run"
    assert main(["train", "--hparams", str(path), "--epochs", "1", "--output-dir", str(out)]) == 2
    assert_one_line_error(capsys, "train", message)
    assert not out.exists()


@pytest.mark.parametrize("name, message", [
    ("missing.npz", "no such file or folder"),
    ("wrong_shape.npz", "shape (N, 32, 32)"),
    ("no_labels.npz", "labels"),
    ("text.npz", "text.npz"),
])
@pytest.mark.parametrize("command", ["train", "tune"])
def test_bad_data_path(command, name, message, data_files, tmp_path, capsys):
    flags = ["--epochs", "1"] if command == "train" else ["--budget", "smoke"]
    assert main([command, "--data", str(data_files / name), *flags, "--output-dir", str(tmp_path / "run")]) == 2
    assert_one_line_error(capsys, command, message)


def test_bad_samples_file_to_evaluate(data_files, capsys):
    assert main(["evaluate", "--samples", str(data_files / "wrong_shape.npz"), "--num-samples", "10"]) == 2
    assert_one_line_error(capsys, "evaluate", "(N, 32, 32)")


@pytest.mark.parametrize("argv", [
    ["train", "--epochs", "0", "--output-dir", "x"],
    ["generate", "--model", "g.keras", "--num-samples", "-5", "--output", "x.png"],
])
def test_non_positive_counts_are_rejected_by_the_parser(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith(f"nepscript-keras {argv[0]}: error: argument") and "positive integer" in err[-1]
