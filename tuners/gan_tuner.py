"""`GANTuner`: the one trial runner every search strategy shares.

A strategy only decides which architectures to try (its `keras_tuner.Oracle`); `GANTuner.run_trial`
does the rest the same way for all of them: build G and D from the trial's hyperparameters, train the GAN
for the trial's budget, evaluate the generator against the real data, save it in the trial directory,
log TensorBoard scalars and the HParams dashboard, and report `fid` (minimised) with the other metrics.

Example:

>>> oracle = keras_tuner.oracles.RandomSearchOracle(
...     objective=OBJECTIVE, max_trials=3, hyperparameters=space_hyperparameters("paper"), seed=1)
>>> tuner = GANTuner(oracle, budget="smoke", directory="runs/x", project_name="search")
>>> tuner.search(load_digits("dhcd_digits_train.npz"))
>>> tuner.load_model(tuner.oracle.get_best_trials()[0])  # the best generator
"""

import os
import time
from typing import Any, Sequence

import keras
import keras_tuner

from nepscript_keras import budgets, distributed, models, search_space
from nepscript_keras.data import DigitData
from nepscript_keras.errors import TrainingDivergedError

OBJECTIVE = keras_tuner.Objective("fid", "min")
"""Every strategy minimises the Fréchet distance of the generated digits to the real ones."""

METRICS = ("fid", "inception_score", "kid", "precision", "recall", "recognisable_rate", "class_entropy")
"""Evaluation metrics reported for each trial (and shown on the TensorBoard HParams dashboard)."""

GENERATOR_FILE = "generator.keras"
G_WEIGHTS_FILE = "generator.weights.h5"
D_WEIGHTS_FILE = "discriminator.weights.h5"


def space_hyperparameters(space: "str | search_space.SearchSpace" = "paper") -> keras_tuner.HyperParameters:
    """Returns a `keras_tuner.HyperParameters` with the space's dimensions registered.

    Args:
        space: A preset name (`"paper"`, `"joint"`) or a `SearchSpace`.

    Returns:
        HyperParameters with searched names as `Choice` and fixed names as `Fixed`.
    """
    if isinstance(space, str):
        space = search_space.SearchSpace.preset(space)
    hp = keras_tuner.HyperParameters()
    space.register(hp)
    return hp


def searched(hyperparameters: keras_tuner.HyperParameters) -> list:
    """Returns the searched (not `Fixed`) hyperparameters of a space; each has `.values` and `.default`."""
    return [hp for hp in hyperparameters.space if not isinstance(hp, keras_tuner.engine.hyperparameters.Fixed)]


def architecture(values: dict[str, Any]) -> dict[str, Any]:
    """Returns the architecture names of a trial's values (drops bookkeeping such as `tuner/epochs`)."""
    return {k: v for k, v in values.items() if k in search_space.ALL_DIMENSIONS}


class GANTuner(keras_tuner.Tuner):
    """Trains and evaluates one GAN architecture per trial; the oracle chooses the architectures.

    Args:
        oracle: A `keras_tuner.Oracle` whose hyperparameters hold the space (see `space_hyperparameters`)
            and whose objective is `OBJECTIVE`.
        budget: A `Budget` or preset name (`"smoke"`, `"quick"`, `"standard"`, `"paper"`).
        learning_rate: Adam learning rate of both networks (a `learning_rate` in the trial's values, from
            a space that tunes it, overrides it).
        label_smoothing: One-sided label smoothing for real images.
        seed: Seed for weight initialisation, data order, the training subset and evaluation latents.
        tensorboard_dir: Root of the TensorBoard logs (one run per trial and the HParams config), or None.
        callbacks: Extra Keras callbacks for every trial's training (the same instances each time).
        verbose: 1 prints one progress line per trial start and end; 0 is silent.
        **kwargs: `keras_tuner.Tuner` arguments (`directory`, `project_name`, `overwrite`, ...).

    `search(data)` takes the real `DigitData`: each trial trains on its balanced subset
    (`budget.per_class` per digit) and is evaluated against all of it.
    """

    def __init__(
        self,
        oracle: keras_tuner.Oracle,
        *,
        budget: "str | budgets.Budget" = "quick",
        learning_rate: float = 0.002,
        label_smoothing: float = 0.1,
        seed: int = 0,
        tensorboard_dir: str | None = None,
        callbacks: Sequence[keras.callbacks.Callback] = (),
        verbose: int = 1,
        **kwargs,
    ):
        self.budget = budgets.get_budget(budget)
        self.learning_rate = learning_rate
        self.label_smoothing = label_smoothing
        self.seed = seed
        self.tensorboard_dir = tensorboard_dir
        self.callbacks = list(callbacks)
        self.verbose = verbose
        self._search_start = None
        super().__init__(oracle, **kwargs)
        distributed.attach(self)  # A distributed worker's oracle client; an oracle another role saved.

    def search(self, data: DigitData, **kwargs) -> None:
        """Runs trials until the oracle stops; `data` is the real digits to train on and compare with."""
        self._search_start = time.perf_counter()
        self._write_hparams_config()
        super().search(data, verbose=0, **kwargs)

    def run_trial(self, trial: keras_tuner.engine.trial.Trial, data: DigitData, **kwargs) -> dict[str, float]:
        """Builds, trains, saves and evaluates one architecture.

        Args:
            trial: The trial; `trial.hyperparameters.values` holds the architecture.
            data: Real digits (the training subset is drawn from them; they are the evaluation reference).

        Returns:
            A dict of metrics with `fid` (the objective), the other evaluation metrics, `seconds`,
            `generator_params`, `discriminator_params` and `epochs_trained`.

        Raises:
            keras_tuner.errors.FailedTrialError: when training diverges (the search goes on).
        """
        from nepscript_keras import evaluation, gan

        start = time.perf_counter()
        values = trial.hyperparameters.values
        initial_epoch, epochs = self.trial_epochs(trial)
        keras.backend.clear_session()
        keras.utils.set_random_seed(self.seed + int(trial.trial_id))
        with keras_tuner.engine.tuner.maybe_distribute(self.distribution_strategy):  # --distribution
            model = gan.build_gan(
                architecture(values),
                width=self.budget.width,
                learning_rate=float(values.get("learning_rate", self.learning_rate)),
                label_smoothing=self.label_smoothing,
            )
        self.warm_start(trial, model)
        self._fit(trial, model, self.training_data(data), initial_epoch, epochs)
        self._save_trial_models(trial.trial_id, model)
        scores = evaluation.evaluate(
            model.generator, data, num_samples=self.budget.eval_samples, seed=self.seed
        )
        results = {name: float(scores[name]) for name in METRICS}
        results.update(
            seconds=time.perf_counter() - start,
            generator_params=float(model.generator.count_params()),
            discriminator_params=float(model.discriminator.count_params()),
            epochs_trained=float(epochs - initial_epoch),
        )
        self._log_trial_hparams(trial, results, epochs)
        return results

    def trial_epochs(self, trial: keras_tuner.engine.trial.Trial) -> tuple[int, int]:
        """Returns `(initial_epoch, epochs)` to train this trial for (default: the budget's epochs)."""
        return 0, self.budget.epochs

    def warm_start(self, trial: keras_tuner.engine.trial.Trial, model: keras.Model) -> None:
        """Loads starting weights into the freshly built GAN; the base tuner starts from scratch."""

    def training_data(self, data: DigitData) -> DigitData:
        """Returns the images a trial trains on: `budget.per_class` per digit, or all of `data`."""
        if self.budget.per_class is None:
            return data
        return data.subset(self.budget.per_class, seed=self.seed)

    def trial_file(self, trial_id: str, name: str) -> str:
        """Returns the path of `name` (e.g. `GENERATOR_FILE`) in a trial's directory."""
        return os.path.join(self.get_trial_dir(trial_id), name)

    def load_model(self, trial: keras_tuner.engine.trial.Trial) -> keras.Model:
        """Returns the trained generator saved by `trial` (so `get_best_models()` gives generators)."""
        return models.load_generator(self.trial_file(trial.trial_id, GENERATOR_FILE))

    def on_trial_begin(self, trial: keras_tuner.engine.trial.Trial) -> None:
        """Prints `[trial k/N] start: <architecture>` when verbose."""
        values = trial.hyperparameters.values
        shown = {k: v for k, v in values.items() if k in self._searched_names() or k.startswith("tuner/")}
        self._say(trial, "start " + " ".join(f"{k}={v}" for k, v in shown.items()))

    def on_trial_end(self, trial: keras_tuner.engine.trial.Trial) -> None:
        """Records the trial with the oracle, then prints its FID, the best so far and elapsed time."""
        super().on_trial_end(trial)
        trial = self.oracle.get_trial(trial.trial_id)
        best = self.oracle.get_best_trials(1)
        best_fid = best[0].score if best and best[0].status == "COMPLETED" else None
        outcome = f"fid {trial.score:.2f}" if trial.status == "COMPLETED" else f"{trial.status.lower()}: {failure_reason(trial.message)}"
        elapsed = time.perf_counter() - (self._search_start or time.perf_counter())
        best_text = "n/a" if best_fid is None else f"{best_fid:.2f}"
        self._say(trial, f"{outcome} | best fid {best_text} | elapsed {_clock(elapsed)}")

    @property
    def full_epochs(self) -> int:
        """Epochs one candidate trains in this search (the cost of a trial at full fidelity)."""
        return self.budget.epochs

    def planned_trials(self) -> int | None:
        """Number of trials the oracle will run in all (None when it cannot tell)."""
        return self.oracle.max_trials

    def _fit(self, trial, model, train_data: DigitData, initial_epoch: int, epochs: int) -> None:
        from nepscript_keras import training

        callbacks = list(self.callbacks)
        if self.tensorboard_dir:
            callbacks.append(keras.callbacks.TensorBoard(self._trial_logdir(trial.trial_id)))
        try:
            training.fit_gan(
                model, train_data, epochs=epochs, initial_epoch=initial_epoch,
                batch_size=self.budget.batch_size, seed=self.seed, callbacks=callbacks,
            )
        except TrainingDivergedError as e:
            raise keras_tuner.errors.FailedTrialError(f"training diverged: {e}") from e

    def _save_trial_models(self, trial_id: str, model: keras.Model) -> None:
        from nepscript_keras.io_utils import atomic_path

        for network, name in ((model.generator, G_WEIGHTS_FILE), (model.discriminator, D_WEIGHTS_FILE)):
            with atomic_path(self.trial_file(trial_id, name)) as tmp:
                network.save_weights(tmp)
        with atomic_path(self.trial_file(trial_id, GENERATOR_FILE)) as tmp:
            model.generator.save(tmp)

    def _searched_names(self) -> list[str]:
        return [hp.name for hp in searched(self.oracle.get_space())]

    def _trial_logdir(self, trial_id: str) -> str:
        return os.path.join(self.tensorboard_dir, f"trial_{trial_id}")

    def _write_hparams_config(self) -> None:
        if not self.tensorboard_dir:
            return
        import tensorflow as tf
        from tensorboard.plugins.hparams import api as hparams_api

        hparams = [hparams_api.HParam(hp.name, hparams_api.Discrete(_domain(hp))) for hp in self.oracle.get_space().space]
        metrics = [hparams_api.Metric(name) for name in METRICS]
        with tf.summary.create_file_writer(self.tensorboard_dir).as_default():
            hparams_api.hparams_config(hparams=hparams, metrics=metrics)

    def _log_trial_hparams(self, trial, results: dict[str, float], step: int) -> None:
        if not self.tensorboard_dir:
            return
        import tensorflow as tf
        from tensorboard.plugins.hparams import api as hparams_api

        hparams = architecture(trial.hyperparameters.values)
        with tf.summary.create_file_writer(self._trial_logdir(trial.trial_id)).as_default():
            hparams_api.hparams(hparams, trial_id=trial.trial_id)
            for name in METRICS:
                tf.summary.scalar(name, results[name], step=step)

    def _say(self, trial, message: str) -> None:
        if self.verbose:
            total = self.planned_trials()
            order = getattr(self.oracle, "start_order", None)  # None on a distributed worker: ids are start order
            number = order.index(trial.trial_id) + 1 if order and trial.trial_id in order else int(trial.trial_id) + 1
            print(f"[trial {number}/{total or '?'}] {message}", flush=True)


class StrategyTuner(GANTuner):
    """A `GANTuner` that builds its own oracle over a search space: the base of every strategy.

    Subclasses implement `build_oracle`; all strategies share this constructor, so `get_tuner_class(name)(
    space, budget=..., max_trials=..., seed=..., directory=...)` works for each of them.

    Args:
        space: A preset name (`"paper"`, `"joint"`) or a `SearchSpace`.
        budget: A `Budget` or preset name; sets trials, epochs, images, width and evaluation samples.
        max_trials: Overrides `budget.max_trials`.
        seed: Same seed, same sequence of proposed architectures (for seeded oracles).
        **kwargs: `GANTuner` arguments (`directory`, `project_name`, `overwrite`, `tensorboard_dir`, ...).
    """

    def __init__(
        self,
        space: "str | search_space.SearchSpace" = "paper",
        *,
        budget: "str | budgets.Budget" = "quick",
        max_trials: int | None = None,
        seed: int = 0,
        **kwargs,
    ):
        budget = budgets.get_budget(budget, max_trials=max_trials)
        oracle = self.build_oracle(space_hyperparameters(space), budget, oracle_seed(seed))
        super().__init__(oracle, budget=budget, seed=seed, **kwargs)

    def build_oracle(
        self, hyperparameters: keras_tuner.HyperParameters, budget: budgets.Budget, seed: int
    ) -> keras_tuner.Oracle:
        """Returns the strategy's oracle over `hyperparameters`, objective `OBJECTIVE`, seeded with `seed`."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_oracle")


def oracle_seed(seed: int) -> int:
    """Maps a user seed to a KerasTuner oracle seed (KerasTuner draws a random seed for 0)."""
    return seed + 1


def _domain(hp) -> list:
    return list(hp.values) if hasattr(hp, "values") else [hp.value]


def failure_reason(message: str | None) -> str:
    """Returns the last line of a failed trial's message (KerasTuner stores the whole traceback)."""
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _clock(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:d}:{minutes:02d}:{seconds:02d}"
