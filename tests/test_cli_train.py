"""`nepscript-keras train` and `generate` through `nepscript_keras.cli.main`, including user errors."""

import json

import numpy as np
import pytest
from PIL import Image

from nepscript_keras.cli import main
from nepscript_keras.models import load_generator

TINY = ["--width", "8", "--epochs", "1", "--seed", "0"]


@pytest.fixture(scope="module")
def digits_npz(small_digits, tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "digits.npz"
    subset = small_digits.subset(7, seed=2)
    np.savez(path, images=subset.images, labels=subset.labels)
    return str(path)


@pytest.fixture(scope="module")
def trained(digits_npz, tmp_path_factory):
    """Output folders of one unconditional and one conditional 1-epoch CLI run."""
    root = tmp_path_factory.mktemp("runs")
    runs = {}
    for name, extra in (("plain", ["--latent-dim", "64", "--norm", "instance", "--no-residual"]), ("conditional", ["--conditional"])):
        runs[name] = root / name
        argv = ["train", "--data", digits_npz, "--output-dir", str(runs[name]), "--log-dir", str(root / "tb" / name), *TINY, *extra]
        assert main(argv) == 0
    return runs


def test_train_writes_outputs(trained, capsys):
    for name, run in trained.items():
        generator = load_generator(run / "generator.keras")
        assert len(generator.inputs) == (2 if name == "conditional" else 1)
        assert (run / "discriminator.keras").stat().st_size > 0
        _assert_png(run / "samples.png", (2 * (10 * 34 + 2), 2 * (10 * 34 + 2)))
        with Image.open(run / "loss_curve.png") as image:
            assert image.format == "PNG" and np.asarray(image.convert("L")).std() > 0
    hparams = json.loads((trained["plain"] / "hparams.json").read_text())
    assert hparams["latent_dim"] == 64 and hparams["norm_type"] == "instance" and hparams["use_residual"] is False


def _assert_png(path, size) -> None:
    """Checks a grayscale sample-grid PNG of the given (width, height) that is not blank."""
    with Image.open(path) as image:
        assert image.format == "PNG" and image.mode == "L" and image.size == size
        assert np.asarray(image).std() > 0


def test_train_resume_continues(trained, digits_npz, capsys):
    argv = ["train", "--data", digits_npz, "--output-dir", str(trained["plain"]), "--latent-dim", "64", "--norm", "instance",
            "--no-residual", "--width", "8", "--epochs", "2", "--seed", "0", "--resume", "--log-dir", str(trained["plain"] / "tb")]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "resuming from" in out and "at epoch 1" in out and "epoch 2/2" in out and "epoch 1/2" not in out


def test_generate_png_and_npz(trained, tmp_path, capsys):
    model = str(trained["plain"] / "generator.keras")
    assert main(["generate", "--model", model, "--num-samples", "12", "--output", str(tmp_path / "grid.png")]) == 0
    _assert_png(tmp_path / "grid.png", (2 * (10 * 34 + 2), 2 * (2 * 34 + 2)))  # 12 samples: two rows of 10.
    assert main(["generate", "--model", model, "--num-samples", "12", "--seed", "5", "--output", str(tmp_path / "s.npz")]) == 0
    with np.load(tmp_path / "s.npz") as npz:
        assert npz["images"].shape == (12, 32, 32) and npz["images"].dtype == np.uint8
        assert "labels" not in npz.files


def test_generate_conditional_digit(trained, tmp_path):
    model = str(trained["conditional"] / "generator.keras")
    assert main(["generate", "--model", model, "--num-samples", "5", "--digit", "7", "--output", str(tmp_path / "s.npz")]) == 0
    with np.load(tmp_path / "s.npz") as npz:
        assert npz["images"].shape == (5, 32, 32)
        np.testing.assert_array_equal(npz["labels"], [7] * 5)


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    "argv_tail, message",
    [
        (["--digit", "3", "--output", "x.npz"], "--digit needs a conditional generator"),
        (["--output", "x.jpg"], "must end in .png"),
    ],
)
def test_generate_user_errors(trained, tmp_path, capsys, argv_tail, message):
    argv = ["generate", "--model", str(trained["plain"] / "generator.keras"), *argv_tail]
    argv[-1] = str(tmp_path / argv[-1])
    assert main(argv) == 2
    assert message in _error_line(capsys)


def test_generate_corrupt_and_wrong_models(trained, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"PK\x03\x04 truncated")
    assert main(["generate", "--model", str(corrupt), "--output", str(tmp_path / "x.png")]) == 2
    assert _error_line(capsys).startswith("nepscript-keras generate: error: cannot load")
    assert main(["generate", "--model", str(trained["plain"] / "discriminator.keras"), "--output", str(tmp_path / "x.png")]) == 2
    assert "is not a generator" in _error_line(capsys)
    assert main(["generate", "--model", str(tmp_path / "missing.keras"), "--output", str(tmp_path / "x.png")]) == 2
    assert "does not exist" in _error_line(capsys)


def test_train_user_errors(digits_npz, tmp_path, capsys):
    out = ["--output-dir", str(tmp_path / "run"), "--data", digits_npz, *TINY]
    bad = tmp_path / "bad.json"
    bad.write_text('{"latent_dim": 96}')
    assert main(["train", "--hparams", str(bad), *out]) == 2
    assert "latent_dim=96" in _error_line(capsys)
    assert main(["train", "--hparams", str(bad), "--norm", "batch", *out]) == 2
    assert "either --hparams or" in _error_line(capsys)
    with pytest.raises(SystemExit):
        main(["train", "--learning-rate", "-1", *out])
