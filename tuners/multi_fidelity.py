"""Multi-fidelity search: Hyperband with training epochs as the fidelity.

Many candidates train for a few epochs; only the best of each round continue, and a continuing trial
starts from its parent's generator and discriminator weights (Hyperband's `tuner/trial_id`), training
from `tuner/initial_epoch` to `tuner/epochs` instead of from scratch.
"""

import keras
import keras_tuner

from nepscript_keras.tuners import gan_tuner


class MultiFidelityTuner(gan_tuner.StrategyTuner):
    """Hyperband over the space (`budget.hyperband_max_epochs`, `budget.hyperband_factor`).

    Takes the `StrategyTuner` arguments. The number of trials follows from Hyperband's brackets;
    `max_trials`, when given, caps it (the budget's `max_trials` does not apply).

    Example:

    >>> tuner = MultiFidelityTuner("paper", budget="quick", directory="runs/mf", project_name="search")
    >>> tuner.planned_trials()  # 5 + 2 trials in bracket 1, 3 in bracket 0
    10
    """

    def __init__(self, *args, max_trials: int | None = None, **kwargs):
        self.trial_cap = max_trials
        super().__init__(*args, max_trials=max_trials, **kwargs)

    def build_oracle(self, hyperparameters, budget, seed):
        oracle = keras_tuner.oracles.HyperbandOracle(
            objective=gan_tuner.OBJECTIVE,
            max_epochs=budget.hyperband_max_epochs,
            factor=budget.hyperband_factor,
            hyperband_iterations=1,
            hyperparameters=hyperparameters,
            seed=seed,
        )
        oracle.max_trials = self.trial_cap
        return oracle

    @property
    def full_epochs(self) -> int:
        """Epochs a candidate trains at full fidelity (what training every candidate fully would cost)."""
        return self.budget.hyperband_max_epochs

    def trial_epochs(self, trial) -> tuple[int, int]:
        """Returns Hyperband's `(tuner/initial_epoch, tuner/epochs)` for the trial."""
        values = trial.hyperparameters.values
        return int(values["tuner/initial_epoch"]), int(values["tuner/epochs"])

    def warm_start(self, trial, model: keras.Model) -> None:
        """Loads the parent trial's G and D weights into `model` when the trial continues one."""
        parent = trial.hyperparameters.values.get("tuner/trial_id")
        if parent is not None:
            model.generator.load_weights(self.trial_file(parent, gan_tuner.G_WEIGHTS_FILE))
            model.discriminator.load_weights(self.trial_file(parent, gan_tuner.D_WEIGHTS_FILE))

    def planned_trials(self) -> int:
        """Trials in one Hyperband iteration (capped by `max_trials`)."""
        oracle = self.oracle
        if not isinstance(oracle, keras_tuner.oracles.HyperbandOracle):  # a distributed worker's client
            return self.trial_cap
        total = sum(
            oracle._get_size(bracket, round_num)  # pylint: disable=protected-access
            for bracket in range(oracle._get_num_brackets())  # pylint: disable=protected-access
            for round_num in range(bracket + 1)
        )
        return min(total, self.trial_cap or total)
