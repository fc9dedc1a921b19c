"""Faults: a search killed and restarted, output that cannot be written.

Covered elsewhere, not repeated here: a diverging trial is recorded as FAILED and the search goes on
(tests/test_tuners.py::test_diverging_trial_is_recorded_as_failed_and_search_continues); a search
interrupted in-process (KeyboardInterrupt) resumes without retraining a finished trial
(tests/test_tuners.py::test_resume_after_interrupt_skips_finished_trials); a worker killed mid-trial
(tests/test_distributed.py::test_worker_killed_mid_trial_is_replaced_and_its_trial_rerun).
"""

import os
import shutil

import pytest

from cluster_utils import cli, digits_npz  # pylint: disable=unused-import
from nepscript_keras.cli import main
from nepscript_keras.search import run_search
from nepscript_keras.search_space import load_hparams

RESULT_FILES = ("trials.csv", "best_hparams.json", "best_generator.keras", "best_samples.png", "summary.md")
SEED = 7


@pytest.fixture(scope="module")
def baseline(digits_npz, tmp_path_factory):
    """An uninterrupted 3-trial random smoke search."""
    return run_search("random", budget="smoke", data=digits_npz, max_trials=3, seed=SEED, verbose=0,
                      output_dir=tmp_path_factory.mktemp("baseline"))


def tune_argv(data, output_dir):
    return ["tune", "--tuner", "random", "--budget", "smoke", "--max-trials", "3", "--seed", str(SEED),
            "--data", data, "--output-dir", str(output_dir)]


def architectures(result):
    return [{k: row[k] for k in result.best_hparams} for row in result.trials]


@pytest.mark.slow  # a subprocess plus 2 more trials (~2 min on a busy 2-core machine); in-process resume is in test_tuners
def test_killed_search_resumes_without_repeating_trials_to_the_uninterrupted_best(baseline, digits_npz, cli, tmp_path):
    out = tmp_path / "run"
    cli.start("search", *tune_argv(digits_npz, out))
    cli.wait_for("search", r"\[trial 2/3\] start", timeout=600)
    cli.kill("search")  # SIGKILL mid-trial: no cleanup, no results
    assert not any((out / name).exists() for name in RESULT_FILES)
    first_model = out / "search" / "trial_0" / "generator.keras"
    stamp = first_model.stat().st_mtime_ns

    resumed = run_search("random", budget="smoke", data=digits_npz, max_trials=3, seed=SEED, output_dir=out, verbose=0)
    assert first_model.stat().st_mtime_ns == stamp  # the finished trial was not trained again
    assert [r["status"] for r in resumed.trials] == ["COMPLETED"] * 3
    assert architectures(resumed) == architectures(baseline)
    assert resumed.best_trial_id == baseline.best_trial_id
    assert resumed.best_hparams == baseline.best_hparams
    assert resumed.best_metrics["fid"] == pytest.approx(baseline.best_metrics["fid"], rel=1e-3)


def test_failed_result_write_reports_no_result_and_a_rerun_finishes(baseline, digits_npz, tmp_path, capsys):
    out = tmp_path / "run"
    shutil.copytree(baseline.output_dir, out)
    for name in RESULT_FILES:
        os.remove(out / name)
    (out / "best_hparams.json").mkdir()  # the rename into place fails, as on a full or broken disk
    assert main(tune_argv(digits_npz, out)) == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1
    assert "error: could not write" in captured.err and "best_hparams.json" in captured.err
    assert "best architecture" not in captured.out
    assert not [name for name in os.listdir(out) if name.startswith(".tmp-")]  # no half-written file left
    assert not (out / "best_generator.keras").exists() and not (out / "summary.md").exists()

    (out / "best_hparams.json").rmdir()
    assert main(tune_argv(digits_npz, out)) == 0
    assert "start" not in capsys.readouterr().out  # nothing trained again
    assert load_hparams(out / "best_hparams.json") == baseline.best_hparams
    assert all((out / name).stat().st_size > 0 for name in RESULT_FILES)


def test_output_dir_that_cannot_be_created_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert main(["tune", "--budget", "smoke", "--output-dir", str(blocker / "run")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot create output directory" in err and "--output-dir" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_output_dir_is_a_one_line_error(tmp_path, capsys):
    out = tmp_path / "read-only"
    out.mkdir(mode=0o555)
    assert main(["tune", "--budget", "smoke", "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is not writable" in err
    assert os.listdir(out) == []
