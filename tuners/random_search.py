"""Random search: architectures sampled uniformly from the space, no learning between trials."""

import keras_tuner

from nepscript_keras.tuners import gan_tuner


class RandomSearchTuner(gan_tuner.StrategyTuner):
    """Uniform random sampling over the space (KerasTuner's `RandomSearchOracle`).

    Takes the `StrategyTuner` arguments (`space`, `budget`, `max_trials`, `seed`, `GANTuner` keywords).

    Example:

    >>> tuner = RandomSearchTuner("paper", budget="smoke", directory="runs/random", project_name="search")
    >>> tuner.search(load_digits("dhcd_digits_train.npz"))
    """

    def build_oracle(self, hyperparameters, budget, seed):
        return keras_tuner.oracles.RandomSearchOracle(
            objective=gan_tuner.OBJECTIVE, max_trials=budget.max_trials, hyperparameters=hyperparameters, seed=seed
        )
