"""The adversarial strategy: supernet search first, then its top architectures through the trial runner."""

import json
import math

import pytest
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from nepscript_keras.search_space import SearchSpace
from nepscript_keras.tuners import get_tuner_class
from nepscript_keras.tuners.adversarial import RANK_KEY, SUPERNET_FILE, AdversarialTuner


def make_tuner(directory, space="paper", **kwargs):
    return AdversarialTuner(space, budget="smoke", max_trials=2, seed=0, supernet_epochs=1, directory=str(directory),
                            project_name="search", tensorboard_dir=str(directory / "tb"), verbose=0, **kwargs)


@pytest.fixture(scope="module")
def searched(small_digits, tmp_path_factory):
    directory = tmp_path_factory.mktemp("adversarial")
    tuner = make_tuner(directory)
    tuner.search(small_digits)
    return tuner, directory


def test_registry_returns_the_adversarial_tuner():
    assert get_tuner_class("adversarial") is AdversarialTuner


def test_trials_follow_the_supernet_ranking(searched):
    tuner, _ = searched
    candidates = tuner.oracle.supernet["candidates"]
    trials = [tuner.oracle.get_trial(t) for t in tuner.oracle.start_order]
    assert [t.status for t in trials] == ["COMPLETED", "COMPLETED"]
    for rank, trial in enumerate(trials):
        values = trial.hyperparameters.values
        assert values[RANK_KEY] == rank + 1
        assert SearchSpace.preset("paper").validate(values) == candidates[rank]["hparams"]
        assert trial.score == trial.metrics.get_last_value("fid") and math.isfinite(trial.score)
    assert candidates[0]["hparams"] == tuner.oracle.supernet["best"]


def test_supernet_cost_trajectory_and_logs_are_recorded(searched):
    tuner, directory = searched
    assert tuner.supernet_cost["epochs"] == 1 and tuner.supernet_cost["seconds"] > 0
    with open(directory / "search" / SUPERNET_FILE, encoding="utf-8") as f:
        assert json.load(f)["trajectory"] == tuner.oracle.supernet["trajectory"]
    accumulator = EventAccumulator(str(directory / "tb" / "supernet"))
    accumulator.Reload()
    assert {"supernet/d_loss", "supernet/g_loss"} <= set(accumulator.Tags()["tensors"])


def test_resume_keeps_the_supernet_result_and_finished_trials(searched, small_digits):
    tuner, directory = searched
    resumed = make_tuner(directory)
    assert resumed.oracle.supernet == tuner.oracle.supernet  # restored from the oracle state, not rerun
    resumed.search(small_digits)
    assert resumed.oracle.start_order == tuner.oracle.start_order
