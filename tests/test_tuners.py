"""The NAS strategies: real smoke searches (width 8, 150 training images, 1 epoch, 200 eval samples)."""

import csv
import json
import os

import keras
import keras_tuner
import numpy as np
import pytest
from PIL import Image

from nepscript_keras import budgets, search_space
from nepscript_keras.errors import ConfigError
from nepscript_keras.models import build_generator, load_generator
from nepscript_keras.search import run_search
from nepscript_keras.tuners import GANTuner, get_tuner_class, gan_tuner
from nepscript_keras.tuners.progressive import ProgressiveOracle, phase_boundaries

STRATEGIES = ("random", "progressive", "adaptive", "multi_fidelity")


def read_trials(output_dir):
    with open(os.path.join(output_dir, "trials.csv"), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def architecture_key(row):
    return tuple(row[k] for k in search_space.ALL_DIMENSIONS)


@pytest.fixture(scope="module")
def searches(small_digits, tmp_path_factory):
    """One 3-trial smoke search per strategy, shared by the tests below."""
    results = {}
    for name in STRATEGIES:
        out = tmp_path_factory.mktemp(name)
        results[name] = run_search(name, budget="smoke", data=small_digits, max_trials=3, output_dir=out, verbose=0)
    return results


@pytest.mark.parametrize("name", STRATEGIES)
def test_strategy_completes_smoke_search_and_writes_outputs(searches, name):
    result = searches[name]
    out = result.output_dir
    with Image.open(os.path.join(out, "best_samples.png")) as png:
        grid = np.asarray(png)
    assert grid.shape == (684, 684)  # 10 x 10 digits of 32 px, 2 px gaps, scaled 2x
    assert len(np.unique(grid)) > 2  # more than the gray border and one flat tone: digits were drawn
    rows = read_trials(out)
    assert len(rows) == 3 and all(r["status"] == "COMPLETED" for r in rows)
    fids = [float(r["fid"]) for r in rows]
    assert result.best_metrics["fid"] == pytest.approx(min(fids))
    assert [float(r["best_fid_so_far"]) for r in rows] == list(np.minimum.accumulate(fids))
    assert search_space.load_hparams(os.path.join(out, "best_hparams.json")) == result.best_hparams
    generator = keras.models.load_model(result.best_generator_path)
    assert generator.outputs[0].shape[1:] == (32, 32, 1)
    assert generator.inputs[0].shape[-1] == result.best_hparams["latent_dim"]
    with open(os.path.join(out, "summary.md"), encoding="utf-8") as f:
        assert f"Search: {name} (smoke budget)" in f.read()
    trial_logs = os.listdir(os.path.join(out, "tensorboard"))
    assert {f"trial_{r['trial']}" for r in rows} <= set(trial_logs)


@pytest.mark.parametrize("name", ("random", "progressive", "adaptive"))
def test_proposals_differ_between_trials(searches, name):
    rows = read_trials(searches[name].output_dir)
    assert len({architecture_key(r) for r in rows}) == len(rows)


def test_progressive_runs_phases_in_order_from_simple_to_full(searches):
    rows = read_trials(searches["progressive"].output_dir)
    assert [int(r["phase"]) for r in rows] == [1, 2, 3]
    first = rows[0]
    assert first["use_residual"] == "False" and float(first["dropout_rate"]) == 0.0
    second = rows[1]  # phase 2 keeps the phase-1 best's latent size and normalisation
    assert (second["latent_dim"], second["norm_type"]) == (first["latent_dim"], first["norm_type"])


def test_multi_fidelity_continues_parent_from_its_weights(searches, small_digits):
    result = searches["multi_fidelity"]
    rows = read_trials(result.output_dir)
    child = next(r for r in rows if r["parent"])
    parent = next(r for r in rows if r["trial"] == child["parent"])
    assert int(child["initial_epoch"]) == int(parent["epochs"]) > 0
    assert int(child["epochs_trained"]) == int(child["epochs"]) - int(child["initial_epoch"])
    assert architecture_key(child) == architecture_key(parent)
    assert result.epochs_full_budget == 2 * budgets.BUDGETS["smoke"].hyperband_max_epochs
    assert result.epochs_saved == result.epochs_full_budget - result.epochs_trained > 0

    def flat(model):
        return np.concatenate([w.ravel() for w in model.get_weights()])

    def saved(trial_id):
        return flat(load_generator(os.path.join(result.output_dir, "search", f"trial_{trial_id}", "generator.keras")))

    fresh = flat(build_generator(gan_tuner.architecture(result.trials[int(child["trial"])]), width=8))
    parent_weights, child_weights = saved(parent["trial"]), saved(child["trial"])
    # One more epoch from the parent's weights stays close to them; a fresh start would be far away.
    assert np.linalg.norm(child_weights - parent_weights) < 0.2 * np.linalg.norm(fresh - parent_weights)


@pytest.mark.parametrize("name", ("random", "progressive", "multi_fidelity"))
def test_same_seed_same_proposals(name, tmp_path):
    def proposals(directory, seed):
        tuner = get_tuner_class(name)("joint", budget="smoke", max_trials=5, seed=seed, directory=directory,
                                      project_name="search", verbose=0)
        sequence = []
        for i in range(5):
            trial = tuner.oracle.create_trial("tuner0")
            sequence.append(gan_tuner.architecture(trial.hyperparameters.values))
            tuner.oracle.update_trial(trial.trial_id, {"fid": float((7 * i) % 5)})
            trial.status = "COMPLETED"
            tuner.oracle.end_trial(trial)
        return sequence

    first = proposals(tmp_path / "a", seed=3)
    assert proposals(tmp_path / "b", seed=3) == first
    assert proposals(tmp_path / "c", seed=4) != first


def test_progressive_state_survives_reload():
    oracle = ProgressiveOracle(gan_tuner.OBJECTIVE, max_trials=10,
                               hyperparameters=gan_tuner.space_hyperparameters("paper"), seed=1)
    state = oracle.get_state()
    other = ProgressiveOracle(gan_tuner.OBJECTIVE, max_trials=4,
                              hyperparameters=gan_tuner.space_hyperparameters("paper"), seed=1)
    other.set_state(json.loads(json.dumps(state)))
    assert other.boundaries == [3, 6, 10] == phase_boundaries(10, [0.3, 0.3, 0.4])
    assert [other.phase_of(n) for n in (0, 2, 3, 5, 6, 9, 12)] == [1, 1, 2, 2, 3, 3, 3]
    assert phase_boundaries(2, [0.3, 0.3, 0.4]) == [1, 2, 2]  # few trials: the early phases run


class StopAtSecondTrial(keras.callbacks.Callback):
    """Interrupts the search (like Ctrl-C) during the second trial's training."""

    def __init__(self):
        super().__init__()
        self.trials_started = 0

    def on_train_begin(self, logs=None):
        self.trials_started += 1
        if self.trials_started == 2:
            raise KeyboardInterrupt


def test_resume_after_interrupt_skips_finished_trials(small_digits, tmp_path):
    with pytest.raises(KeyboardInterrupt):
        run_search("random", budget="smoke", data=small_digits, max_trials=3, output_dir=tmp_path, verbose=0,
                   callbacks=[StopAtSecondTrial()])
    first_model = tmp_path / "search" / "trial_0" / "generator.keras"
    stamp = first_model.stat().st_mtime_ns
    result = run_search("random", budget="smoke", data=small_digits, max_trials=3, output_dir=tmp_path, verbose=0)
    assert [r["status"] for r in result.trials] == ["COMPLETED"] * 3
    assert first_model.stat().st_mtime_ns == stamp  # trial 0 was not trained again
    again = run_search("random", budget="smoke", data=small_digits, max_trials=3, output_dir=tmp_path, verbose=0)
    assert again.trials == result.trials


def test_resume_refuses_a_different_search(small_digits, tmp_path):
    (tmp_path / "search_config.json").write_text(json.dumps({"tuner": "adaptive", "space": "paper", "seed": 0}))
    with pytest.raises(ConfigError, match="different search"):
        run_search("random", budget="smoke", data=small_digits, output_dir=tmp_path, verbose=0)


class PoisonFirstTrial(keras_tuner.oracles.RandomSearchOracle):
    """Random search whose first trial trains with an absurd learning rate (so it diverges)."""

    def populate_space(self, trial_id):
        response = super().populate_space(trial_id)
        if not self.trials:
            response["values"]["learning_rate"] = 1e12
        return response


def test_diverging_trial_is_recorded_as_failed_and_search_continues(small_digits, tmp_path):
    oracle = PoisonFirstTrial(objective=gan_tuner.OBJECTIVE, max_trials=2, seed=1,
                              hyperparameters=gan_tuner.space_hyperparameters("paper"))
    tuner = GANTuner(oracle, budget="smoke", directory=tmp_path, project_name="search", verbose=0)
    tuner.search(small_digits)
    first, second = (oracle.get_trial(t) for t in oracle.start_order)
    assert first.status == "FAILED" and "diverged" in gan_tuner.failure_reason(first.message)
    assert second.status == "COMPLETED" and np.isfinite(second.score)


def test_unknown_names_are_config_errors():
    with pytest.raises(ConfigError, match="unknown tuner"):
        get_tuner_class("grid")
    with pytest.raises(ConfigError, match="unknown budget"):
        budgets.get_budget("huge")
    with pytest.raises(ConfigError, match="positive"):
        budgets.get_budget("smoke", epochs=0)


def test_tensorboard_hparams_dashboard_has_experiment_and_each_trial(searches):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    def tensor_tags(path):
        accumulator = EventAccumulator(str(path))
        accumulator.Reload()
        return set(accumulator.Tags()["tensors"])

    logdir = os.path.join(searches["random"].output_dir, "tensorboard")
    assert "_hparams_/experiment" in tensor_tags(logdir)
    for row in read_trials(searches["random"].output_dir):
        assert {"_hparams_/session_start_info", "fid", "recall"} <= tensor_tags(os.path.join(logdir, f"trial_{row['trial']}"))
