"""`nepscript-keras data info|preview` through `nepscript_keras.cli.main`."""

import numpy as np
import pytest
from PIL import Image

from nepscript_keras.cli import main


@pytest.fixture
def small_npz(tmp_path, small_digits):
    path = tmp_path / "small.npz"
    np.savez(path, images=small_digits.images, labels=small_digits.labels)
    return path


def test_info_prints_counts_stats_and_fingerprint(small_npz, small_digits, capsys):
    assert main(["data", "info", "--data", str(small_npz)]) == 0
    out = capsys.readouterr().out
    assert f"train: 300 images from {small_npz}" in out
    assert "0:30 1:30 2:30" in out and "9:30" in out
    assert "ink fraction" in out and small_digits.fingerprint() in out
    assert "test: not available" in out and "no test split" in out


def test_info_real_dhcd(dhcd_npz, capsys):
    assert main(["data", "info", "--data", str(dhcd_npz), "--split", "train"]) == 0
    out = capsys.readouterr().out
    assert "train: 17000 images" in out and "0:1700" in out and "9:1700" in out


def test_preview_writes_a_10x10_png(small_npz, tmp_path, capsys):
    output = tmp_path / "out" / "grid.png"
    assert main(["data", "preview", "--data", str(small_npz), "--output", str(output)]) == 0
    with Image.open(output) as image:
        assert image.format == "PNG"
        assert image.size == (2 * (10 * 34 + 2), 2 * (10 * 34 + 2))
    assert str(output) in capsys.readouterr().out


def test_preview_synthetic(tmp_path):
    output = tmp_path / "synthetic.png"
    assert main(["data", "preview", "--dataset", "synthetic", "--output", str(output), "--scale", "1"]) == 0
    with Image.open(output) as image:
        assert image.size == (10 * 34 + 2, 10 * 34 + 2)


@pytest.mark.parametrize("action", [["info"], ["preview", "--output", "unused.png"]])
def test_bad_path_exits_2_with_one_line(tmp_path, capsys, action):
    missing = tmp_path / "missing.npz"
    assert main(["data", *action, "--data", str(missing)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nepscript-keras data: error:") and str(missing) in err and "\n" not in err
