"""Adaptive search: Bayesian optimisation, balancing exploration and exploitation of past results."""

import keras_tuner

from nepscript_keras.tuners import gan_tuner


class AdaptiveTuner(gan_tuner.StrategyTuner):
    """A Gaussian-process model of FID over the space picks each next architecture.

    KerasTuner's `BayesianOptimizationOracle`: the first trials (a third of them, at least 2) are random,
    then each proposal optimises an upper-confidence bound whose `beta` weighs exploration against
    exploitation.

    Args:
        *args: `StrategyTuner` arguments (`space`, `budget`, `max_trials`, `seed`, `GANTuner` keywords).
        beta: Exploration weight of the upper-confidence bound.
        **kwargs: As for `StrategyTuner`.

    Example:

    >>> tuner = AdaptiveTuner("joint", budget="quick", directory="runs/adaptive", project_name="search")
    """

    def __init__(self, *args, beta: float = 2.6, **kwargs):
        self.beta = beta
        super().__init__(*args, **kwargs)

    def build_oracle(self, hyperparameters, budget, seed):
        return keras_tuner.oracles.BayesianOptimizationOracle(
            objective=gan_tuner.OBJECTIVE,
            max_trials=budget.max_trials,
            num_initial_points=max(2, budget.max_trials // 3),
            beta=self.beta,
            hyperparameters=hyperparameters,
            seed=seed,
        )
