"""`nepscript-keras tune` through `cli.main`: a real smoke search, resume, and bad input."""

import csv

import numpy as np
import pytest
from PIL import Image

from nepscript_keras.cli import main
from nepscript_keras.models import load_generator
from nepscript_keras.search_space import load_hparams


@pytest.fixture(scope="module")
def digits_npz(small_digits, tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "digits.npz"
    np.savez(path, images=small_digits.images, labels=small_digits.labels)
    return str(path)


def test_tune_writes_results_then_resumes_without_repeating(digits_npz, tmp_path, capsys):
    argv = ["tune", "--tuner", "random", "--budget", "smoke", "--max-trials", "2", "--data", digits_npz,
            "--output-dir", str(tmp_path), "--seed", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "[trial 1/2] start" in out and "[trial 2/2]" in out and "best fid" in out
    with open(tmp_path / "trials.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["status"] for r in rows] == ["COMPLETED", "COMPLETED"]
    best = min(rows, key=lambda r: float(r["fid"]))
    assert np.isfinite(float(best["fid"]))
    best_hparams = load_hparams(tmp_path / "best_hparams.json")
    assert {k: str(v) for k, v in best_hparams.items()} == {k: best[k] for k in best_hparams}  # the best row's
    assert load_generator(tmp_path / "best_generator.keras").inputs[0].shape[-1] == best_hparams["latent_dim"]
    with Image.open(tmp_path / "best_samples.png") as png:
        assert png.size == (684, 684) and len(np.unique(np.asarray(png))) > 2  # 10 x 10 digits, drawn
    summary = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "# Search: random (smoke budget)" in summary and f"## Best architecture (trial {best['trial']})" in summary

    assert main(argv) == 0  # resume: the search is finished, nothing is trained again
    assert "start" not in capsys.readouterr().out
    with open(tmp_path / "trials.csv", encoding="utf-8") as f:
        assert list(csv.DictReader(f)) == rows


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--max-trials", "0"], "max-trials must be a positive integer"),
        (["--epochs", "-1"], "epochs must be a positive integer"),
        (["--tuner", "grid"], "unknown tuner 'grid'"),
        (["--budget", "huge"], "unknown budget 'huge'"),
        (["--space", "wide"], "unknown search space 'wide'"),
    ],
)
def test_bad_input_exits_2_with_one_line(flags, message, tmp_path, capsys):
    assert main(["tune", *flags, "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith("nepscript-keras tune: error:") and message in err
