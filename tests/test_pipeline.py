"""End-to-end tests of the smoke pipeline ExampleGen -> Tuner -> Trainer -> Evaluator -> Pusher.

One real smoke run (one trial, smoke budget, 200 real digits) is shared by the module;
the tests then rerun it in file order: identical (all cache hits), through the CLI (all cache hits),
with a changed Evaluator threshold, and with a Trainer that diverges and is then fixed.
"""

import json
import os

import numpy as np
import pytest

from nepscript_keras.budgets import BUDGETS
from nepscript_keras.cli import main
from nepscript_keras.components import ComponentFailedError, LocalDagRunner, create_pipeline, load_artifact

COMPONENTS = ["ExampleGen", "Tuner", "Trainer", "Evaluator", "Pusher"]


@pytest.fixture(scope="module")
def setup(small_digits, tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    data = root / "digits.npz"
    subset = small_digits.subset(20, seed=0)  # 180 train, 20 eval (the Evaluator's classifier needs 2 a digit).
    np.savez(data, images=subset.images, labels=subset.labels)
    kwargs = dict(tuner="random", budget="smoke", data=str(data), pipeline_root=str(root / "root"), max_trials=1)
    return kwargs, _run(**kwargs)


def _run(**kwargs):
    lines = []
    record = LocalDagRunner(log=lines.append).run(create_pipeline(**kwargs))
    return record, lines


def _statuses(record):
    return [c["status"] for c in record["components"]]


def _snapshot(root):
    """Every file under the pipeline root except run records, with its modification time."""
    return {os.path.join(d, f): os.stat(os.path.join(d, f)).st_mtime_ns
            for d, _, files in os.walk(root) for f in files if os.sep + "runs" + os.sep not in d + os.sep}


def test_smoke_run_produces_all_artifacts(setup):
    _, (record, lines) = setup
    assert _statuses(record) == ["executed"] * 5 and [c["id"] for c in record["components"]] == COMPONENTS
    outputs = {out: load_artifact(uri) for c in record["components"] for out, uri in c["outputs"].items()}
    assert {out: a.TYPE_NAME for out, a in outputs.items()} == {
        "examples": "Examples", "hyperparameters": "HyperParameters", "model": "Model",
        "evaluation": "ModelEvaluation", "blessing": "ModelBlessing", "pushed": "PushedModel"}
    with open(outputs["hyperparameters"].path("best_hparams.json"), encoding="utf-8") as f:
        assert json.load(f) == outputs["hyperparameters"].properties["best_hparams"]
    assert os.path.isfile(outputs["model"].path("discriminator.keras"))
    with open(outputs["evaluation"].path("metrics.json"), encoding="utf-8") as f:
        assert json.load(f)["num_samples"] == BUDGETS["smoke"].final_eval_samples
    assert outputs["blessing"].properties["blessed"]  # No thresholds, no earlier model: blessed.
    pushed = outputs["pushed"].properties
    assert pushed["pushed"] and pushed["version"] == 1
    assert os.path.isfile(os.path.join(pushed["destination"], "generator.keras"))
    assert os.path.isfile(os.path.join(pushed["destination"], "saved_model", "saved_model.pb"))
    assert any("Pusher: pushed as version 1" in line for line in lines)


def test_identical_rerun_is_all_cache_hits_and_changes_nothing(setup):
    kwargs, (first, _) = setup
    before = _snapshot(kwargs["pipeline_root"])
    record, lines = _run(**kwargs)
    assert _statuses(record) == ["cached"] * 5
    assert sum("cache hit" in line for line in lines) == 5
    assert [c["cache_key"] for c in record["components"]] == [c["cache_key"] for c in first["components"]]
    assert _snapshot(kwargs["pipeline_root"]) == before


def test_cli_reruns_from_cache_and_reports_errors_on_one_line(setup, capsys):
    kwargs, _ = setup
    argv = ["pipeline", "--budget", "smoke", "--max-trials", "1", "--data", kwargs["data"],
            "--pipeline-root", kwargs["pipeline_root"]]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert out.count("cache hit") == 5 and "pipeline succeeded: 0 executed, 5 cached" in out
    assert main(argv[:-4] + ["--data", kwargs["data"] + ".missing", "--pipeline-root", kwargs["pipeline_root"]]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("nepscript-keras pipeline: error: ExampleGen failed:") and "\n" not in err


def test_changed_threshold_reruns_only_evaluator_and_pusher_and_does_not_push(setup):
    kwargs, _ = setup
    record, lines = _run(**kwargs, max_fid=1e-3)
    assert _statuses(record) == ["cached", "cached", "cached", "executed", "executed"]
    blessing, pushed = (load_artifact(record["components"][i]["outputs"][k]) for i, k in ((3, "blessing"), (4, "pushed")))
    assert not blessing.properties["blessed"] and os.path.isfile(blessing.path("NOT_BLESSED"))
    assert not pushed.properties["pushed"] and any("not blessed" in line and "nothing pushed" in line for line in lines)
    assert os.listdir(os.path.join(kwargs["pipeline_root"], "serving")) == ["1"]


def test_failed_trainer_keeps_earlier_artifacts_and_rerun_resumes(setup):
    kwargs, _ = setup
    before = _snapshot(os.path.join(kwargs["pipeline_root"], "Tuner"))
    with pytest.raises(ComponentFailedError, match="^Trainer failed: diverged"):
        _run(**kwargs, learning_rate=float("nan"))
    with open(sorted(os.scandir(os.path.join(kwargs["pipeline_root"], "runs")), key=lambda e: e.name)[-1]) as f:
        failed = json.load(f)
    assert _statuses(failed) == ["cached", "cached", "failed", "not run", "not run"]
    assert _snapshot(os.path.join(kwargs["pipeline_root"], "Tuner")) == before
    model_dir = os.path.join(kwargs["pipeline_root"], "Trainer", "model")
    assert not [name for name in os.listdir(model_dir) if name.startswith(".staging")]

    record, lines = _run(**kwargs, learning_rate=0.001)
    assert "resuming" in lines[0]
    assert _statuses(record) == ["cached", "cached", "executed", "executed", "executed"]
    blessing = load_artifact(record["components"][3]["outputs"]["blessing"]).properties
    fid = load_artifact(record["components"][3]["outputs"]["evaluation"]).properties["fid"]
    with open(os.path.join(kwargs["pipeline_root"], "serving", "1", "push.json"), encoding="utf-8") as f:
        baseline_fid = json.load(f)["metrics"]["fid"]
    assert blessing["baseline_version"] == 1 and blessing["blessed"] == (fid <= baseline_fid)
    assert load_artifact(record["components"][4]["outputs"]["pushed"]).properties["pushed"] == blessing["blessed"]
