"""Distributed search: a real chief and workers on 127.0.0.1 (subprocesses), flags, tf.distribute passthrough.

The subprocess tests each start three Python processes (TensorFlow import included) and run smoke
trials (width 8, 150 training images, 1 epoch, 200 evaluation samples); every process is bounded by a
timeout and killed at the end.
"""

import csv
import json
import os

import pytest

from cluster_utils import CliProcesses, cli, digits_npz, free_port, started_trials  # pylint: disable=unused-import
from nepscript_keras import distributed
from nepscript_keras.cli import main
from nepscript_keras.errors import ConfigError
from nepscript_keras.search import run_search
from nepscript_keras.search_space import ALL_DIMENSIONS, load_hparams
from nepscript_keras.tuners import gan_tuner, get_tuner_class

TIMEOUT = 600  # seconds for a whole search on a busy 2-core machine


def tune_args(data, output_dir, trials, seed=3):
    return ["tune", "--tuner", "random", "--budget", "smoke", "--max-trials", str(trials), "--seed", str(seed),
            "--data", data, "--output-dir", str(output_dir)]


def read_trials(output_dir):
    with open(os.path.join(output_dir, "trials.csv"), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def proposals(trials, seed, directory):
    """The architectures a single-process random search with this seed proposes, without training."""
    tuner = get_tuner_class("random")("paper", budget="smoke", max_trials=trials, seed=seed, directory=directory,
                                      project_name="search", verbose=0)
    sequence = []
    for _ in range(trials):
        trial = tuner.oracle.create_trial("tuner0")
        sequence.append({k: str(v) for k, v in gan_tuner.architecture(trial.hyperparameters.values).items()})
        tuner.oracle.update_trial(trial.trial_id, {"fid": 1.0})
        trial.status = "COMPLETED"
        tuner.oracle.end_trial(trial)
    return sequence


@pytest.fixture(scope="module")
def distributed_run(digits_npz, tmp_path_factory):
    """A 4-trial random smoke search by a chief and two workers; returns (output dir, {process: log})."""
    cli = CliProcesses(tmp_path_factory.mktemp("cluster"))
    out, address = cli.log_dir / "run", f"127.0.0.1:{free_port()}"
    args = tune_args(digits_npz, out, trials=4)
    try:
        cli.start("chief", *args, "--chief", address)
        cli.start("worker1", *args, "--chief", address, "--worker", "1")
        cli.start("worker2", *args, "--chief", address, "--worker", "2")
        assert cli.wait("chief", TIMEOUT) == 0, cli.log("chief")
        assert cli.wait("worker1", 60) == 0 and cli.wait("worker2", 60) == 0
        return out, {name: cli.log(name) for name in ("chief", "worker1", "worker2")}
    finally:
        cli.kill_all()


def test_chief_and_two_workers_share_one_search(distributed_run, tmp_path):
    out, logs = distributed_run
    ran = {name: started_trials(logs[name]) for name in ("worker1", "worker2")}
    assert all(ran.values()), ran  # both workers trained trials ...
    assert sorted(ran["worker1"] + ran["worker2"]) == [1, 2, 3, 4]  # ... and every trial ran exactly once
    assert "[trial" not in logs["chief"]  # the chief only serves the oracle
    rows = read_trials(out)  # one oracle holds every worker's results
    assert [r["status"] for r in rows] == ["COMPLETED"] * 4
    best = min(rows, key=lambda r: float(r["fid"]))
    best_hparams = load_hparams(out / "best_hparams.json")
    assert {k: str(v) for k, v in best_hparams.items()} == {k: best[k] for k in ALL_DIMENSIONS}
    assert f"best architecture: {best_hparams}" in logs["chief"]
    assert (out / "best_generator.keras").stat().st_size > 0
    # The same proposals, trial by trial, as one process with the same seed would make.
    assert [{k: r[k] for k in ALL_DIMENSIONS} for r in rows] == proposals(4, seed=3, directory=tmp_path / "single")


def test_finished_distributed_search_resumes_in_one_process_without_retraining(distributed_run, digits_npz, capsys):
    out, _ = distributed_run
    rows = read_trials(out)
    assert main(tune_args(digits_npz, out, trials=4)) == 0
    assert "start" not in capsys.readouterr().out  # no trial is trained again
    assert read_trials(out) == rows


def test_worker_killed_mid_trial_is_replaced_and_its_trial_rerun(digits_npz, cli, tmp_path):
    out, address = tmp_path / "run", f"127.0.0.1:{free_port()}"
    args = tune_args(digits_npz, out, trials=2)
    cli.start("chief", *args, "--chief", address)
    cli.start("worker", *args, "--chief", address, "--worker", "1")
    cli.wait_for("worker", r"\[trial 1/2\] start", TIMEOUT)
    cli.kill("worker")  # mid-trial: the oracle still has trial 0 running for worker1
    cli.start("restarted", *args, "--chief", address, "--worker", "1")
    assert cli.wait("chief", TIMEOUT) == 0, cli.log("chief")
    assert cli.wait("restarted", 60) == 0
    assert started_trials(cli.log("restarted")) == [1, 2]  # the killed trial again, then the next one
    rows = read_trials(out)
    assert [r["status"] for r in rows] == ["COMPLETED", "COMPLETED"]
    with open(out / "search" / "oracle.json", encoding="utf-8") as f:
        assert json.load(f)["ongoing_trials"] == {}  # saved as finished: a resume reruns nothing


def test_worker_without_a_reachable_chief_stops_with_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(distributed, "CHIEF_START_SECONDS", 1.0)
    monkeypatch.setattr(distributed, "CHIEF_GONE_SECONDS", 1.0)
    address = f"127.0.0.1:{free_port()}"
    with distributed.cluster(address, "1"):
        tuner = get_tuner_class("random")("paper", budget="smoke", directory=tmp_path, project_name="search", verbose=0)
        assert isinstance(tuner.oracle, distributed.WorkerOracleClient)
        with pytest.raises(ConfigError, match=f"no chief answered at {address} within 1 s"):
            tuner.oracle.create_trial(tuner.tuner_id)
        # A chief that answered once and is gone now (it finished): the worker's search ends normally.
        assert tuner.oracle._ask_for_trial(tuner.tuner_id).status == "STOPPED"  # pylint: disable=protected-access


def test_cluster_flags_map_to_keras_tuner_environment(monkeypatch):
    for name in distributed.ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    assert distributed.cluster_env("10.0.0.5:8000") == {
        "KERASTUNER_TUNER_ID": "chief", "KERASTUNER_ORACLE_IP": "10.0.0.5", "KERASTUNER_ORACLE_PORT": "8000"}
    assert distributed.cluster_env("[::1]:9000", "gpu-a")["KERASTUNER_TUNER_ID"] == "workergpu-a"
    with distributed.cluster("127.0.0.1:8000", "3") as role:
        assert role == "worker" and distributed.is_worker()
        assert os.environ["KERASTUNER_TUNER_ID"] == "worker3"
    assert distributed.role() == "single" and "KERASTUNER_ORACLE_IP" not in os.environ
    with distributed.cluster("127.0.0.1:8000") as role:
        assert role == "chief"


@pytest.mark.parametrize(
    "chief, worker, message",
    [
        ("localhost", None, "must be HOST:PORT"),
        ("localhost:0", None, "port in 1..65535"),
        (None, "1", "needs --chief HOST:PORT"),
        ("127.0.0.1:8000", "chief2", "without spaces or 'chief'"),
    ],
)
def test_bad_cluster_flags_are_config_errors(chief, worker, message):
    with pytest.raises(ConfigError, match=message):
        distributed.cluster_env(chief, worker)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--tuner", "adversarial", "--chief", "127.0.0.1:8000"], "adversarial cannot run with --chief/--worker"),
        (["--chief", "127.0.0.1:8000", "--worker", "1", "--overwrite"], "--overwrite is for the chief only"),
        (["--worker", "1"], "needs --chief"),
        (["--chief", "127.0.0.1:99999"], "port in 1..65535"),
    ],
)
def test_cli_rejects_unsupported_distributed_runs_with_one_line(flags, message, tmp_path, capsys):
    assert main(["tune", "--budget", "smoke", "--output-dir", str(tmp_path), *flags]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("nepscript-keras tune: error:") and message in err
    assert distributed.role() == "single"  # the flags' environment does not outlive the command


def test_mirrored_distribution_trains_trials_in_its_scope(small_digits, tmp_path):
    strategy = distributed.distribution_strategy("mirrored")
    result = run_search("random", budget="smoke", data=small_digits, max_trials=1, output_dir=tmp_path, verbose=0,
                        distribution_strategy=strategy)
    assert result.trials[0]["status"] == "COMPLETED" and result.best_metrics["fid"] > 0
    assert distributed.distribution_strategy("none") is None
    with pytest.raises(ConfigError, match="unknown --distribution"):
        distributed.distribution_strategy("tpu")
