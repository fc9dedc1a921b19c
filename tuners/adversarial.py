"""Adversarial gradient-based search (after AdversarialNAS, arXiv:1912.02037).

Before the first trial, a supernet in which every choice of the space is a softmax-weighted mixture
trains once (`nepscript_keras.supernet.search_architecture`): generator architecture weights descend the
generator loss, discriminator architecture weights the discriminator loss, alternating with the network
weights. The oracle then proposes the argmax architecture, then the runners-up by the product of their
architecture weights; each is trained and evaluated by the same trial runner as every other strategy.
The supernet's result (and its cost: wall seconds, epochs) is kept in the oracle state, so a resumed
search does not run it again, and written to `supernet.json` in the tuner's project directory.
"""

import os
from typing import Any

import keras_tuner

from nepscript_keras import io_utils, supernet
from nepscript_keras.data import DigitData
from nepscript_keras.errors import ConfigError
from nepscript_keras.search_space import SearchSpace
from nepscript_keras.tuners import gan_tuner

RANK_KEY = "tuner/supernet_rank"
SUPERNET_FILE = "supernet.json"
SUPERNET_EPOCHS_PER_TRIAL_EPOCH = 3
"""Default supernet epochs per epoch of one trial's budget (the supernet costs about 3-4 trials)."""
ARCH_LEARNING_RATE = 3e-3
"""Default architecture learning rate: 10x DARTS's 3e-4, as CPU budgets give ~100x fewer logit steps."""


class AdversarialOracle(keras_tuner.Oracle):
    """Proposes the supernet's architectures, best first (one per trial, `max_trials` in all).

    Args:
        objective: The objective (`Objective("fid", "min")` for GAN searches).
        max_trials: Architectures to train: the argmax one, then `max_trials - 1` runners-up.
        hyperparameters: The space (`Choice` names are searched, `Fixed` ones kept).
        space: Supernet space preset, `"paper"` or `"joint"` (must match `hyperparameters`).
        seed: Seed of the supernet (weights, latents, dropout, data split).
        **kwargs: Other `keras_tuner.Oracle` arguments.

    Example:

    >>> oracle = AdversarialOracle(gan_tuner.OBJECTIVE, max_trials=3,
    ...                            hyperparameters=gan_tuner.space_hyperparameters("paper"), space="paper")
    >>> oracle.run_supernet(data, epochs=4, width=16)["best"]
    """

    def __init__(self, objective=None, max_trials: int = 5, hyperparameters=None, space: str = "paper",
                 seed: int | None = None, **kwargs):
        super().__init__(objective=objective, max_trials=max_trials, hyperparameters=hyperparameters, seed=seed, **kwargs)
        self.space = SearchSpace.preset(space).name
        self.supernet: dict[str, Any] | None = None

    def run_supernet(self, data: DigitData, **search_kwargs) -> dict[str, Any]:
        """Runs the supernet search once and saves it in the oracle state (a resumed oracle keeps it).

        Args:
            data: Real digits the supernet trains on.
            **search_kwargs: `search_architecture` arguments (`epochs`, `width`, `seed`, `log_dir`, ...);
                `seed` defaults to the oracle's.

        Returns:
            The `search_architecture` result (`best`, `candidates`, `trajectory`, `seconds`, `epochs`, ...).
        """
        if self.supernet is None:
            search_kwargs = {"seed": self.seed, **search_kwargs}
            self.supernet = supernet.search_architecture(data, space=self.space, top_k=self.max_trials, **search_kwargs)
            self.save()
        return self.supernet

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        """Proposes the next-ranked supernet architecture, or stops when all have been proposed."""
        if self.supernet is None:
            raise ConfigError("the adversarial oracle has no supernet result; call run_supernet(data) before the search")
        rank = len(self.trials)
        candidates = self.supernet["candidates"]
        if rank >= len(candidates):
            return {"status": "STOPPED"}
        hparams = candidates[rank]["hparams"]
        values = {hp.name: hparams[hp.name] for hp in self.hyperparameters.space}
        return {"status": "RUNNING", "values": {**values, RANK_KEY: rank + 1}}

    def get_state(self) -> dict[str, Any]:
        return {**super().get_state(), "space": self.space, "supernet": self.supernet}

    def set_state(self, state: dict[str, Any]) -> None:
        super().set_state(state)
        self.space = state["space"]
        self.supernet = state["supernet"]


class AdversarialTuner(gan_tuner.StrategyTuner):
    """Adversarial gradient-based search: a supernet search, then its top architectures as trials.

    Takes the `StrategyTuner` arguments (`space`, `budget`, `max_trials`, `seed`, `GANTuner` keywords) and:

    Args:
        supernet_epochs: Supernet epochs (default: `budget.epochs * SUPERNET_EPOCHS_PER_TRIAL_EPOCH`).
        arch_learning_rate: Adam learning rate of the architecture logits.
        arch_fraction: Share of the training images held out for the discriminator-logit steps.

    Example:

    >>> tuner = AdversarialTuner("paper", budget="quick", directory="runs/adversarial", project_name="search")
    >>> tuner.search(load_digits("dhcd_digits_train.npz"))
    >>> tuner.supernet_cost
    {'seconds': 61.3, 'epochs': 6}
    """

    def __init__(self, space: "str | SearchSpace" = "paper", *, supernet_epochs: int | None = None,
                 arch_learning_rate: float = ARCH_LEARNING_RATE, arch_fraction: float = 0.5, **kwargs):
        self.space_name = space if isinstance(space, str) else space.name
        self.supernet_epochs = supernet_epochs
        self.supernet_kwargs = {"arch_learning_rate": arch_learning_rate, "arch_fraction": arch_fraction}
        super().__init__(space, **kwargs)

    def build_oracle(self, hyperparameters, budget, seed):
        return AdversarialOracle(
            gan_tuner.OBJECTIVE, max_trials=budget.max_trials, hyperparameters=hyperparameters,
            space=self.space_name, seed=seed,
        )

    def search(self, data: DigitData, **kwargs) -> None:
        """Runs the supernet search (unless a resumed oracle holds it), then the trials on `data`."""
        result = self.oracle.run_supernet(
            self.training_data(data),
            epochs=self.supernet_epochs or self.budget.epochs * SUPERNET_EPOCHS_PER_TRIAL_EPOCH,
            width=self.budget.width, batch_size=self.budget.batch_size, learning_rate=self.learning_rate,
            label_smoothing=self.label_smoothing, seed=self.seed, log_dir=self._supernet_logdir(), verbose=self.verbose,
            **self.supernet_kwargs,
        )
        io_utils.write_json(os.path.join(self.project_dir, SUPERNET_FILE), result)
        super().search(data, **kwargs)

    @property
    def supernet_cost(self) -> dict[str, float] | None:
        """Compute the supernet search spent (`seconds`, `epochs`), or None before it ran."""
        result = self.oracle.supernet
        return None if result is None else {"seconds": result["seconds"], "epochs": result["epochs"]}

    def _supernet_logdir(self) -> str:
        return os.path.join(self.tensorboard_dir or self.project_dir, "supernet")
