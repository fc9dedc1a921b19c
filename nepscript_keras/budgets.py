"""Compute budgets for a search: how many trials, how long each trains, how hard it is evaluated.

Four presets, from a seconds-long test run to the seed's protocol:

- `smoke`: seconds per trial, for tests (tiny models, a few hundred images, one epoch).
- `quick`: a complete, meaningful search in about ten minutes on a 2-core CPU (the CLI default).
- `standard`: hours on a CPU, minutes on a GPU.
- `paper`: the seed's protocol (20,000 evaluation samples, 500-epoch final training).

Example:

>>> budget = get_budget("quick", max_trials=4)
>>> budget.max_trials, budget.epochs
(4, 6)
"""

import dataclasses

from nepscript_keras.errors import ConfigError


@dataclasses.dataclass(frozen=True)
class Budget:
    """What one search may spend.

    Args:
        name: Preset name (or a label for a custom budget).
        max_trials: Trials (architectures trained and evaluated) per search.
        epochs: Training epochs per trial.
        per_class: Training images per digit for each trial (a balanced subset), or None for all.
        eval_samples: Generated samples per trial evaluation.
        width: Base filter count of the generator and discriminator.
        final_epochs: Epochs for training the chosen architecture after the search.
        final_eval_samples: Samples for evaluating that final model.
        hyperband_max_epochs: Multi-fidelity: most epochs any candidate trains.
        hyperband_factor: Multi-fidelity: candidates kept per round is 1/factor.
        batch_size: Training batch size.
    """

    name: str
    max_trials: int
    epochs: int
    per_class: int | None
    eval_samples: int
    width: int
    final_epochs: int
    final_eval_samples: int
    hyperband_max_epochs: int
    hyperband_factor: int
    batch_size: int = 32

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name == "name" or (field.name == "per_class" and value is None):
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ConfigError(f"budget {field.name} must be a positive integer, got {value!r}")
        if self.hyperband_factor < 2:
            raise ConfigError(f"budget hyperband_factor must be at least 2, got {self.hyperband_factor}")


BUDGETS: dict[str, Budget] = {
    "smoke": Budget(
        "smoke", max_trials=3, epochs=1, per_class=15, eval_samples=200, width=8, final_epochs=1,
        final_eval_samples=200, hyperband_max_epochs=2, hyperband_factor=2,
    ),
    "quick": Budget(
        "quick", max_trials=10, epochs=6, per_class=500, eval_samples=1000, width=16, final_epochs=30,
        final_eval_samples=5000, hyperband_max_epochs=6, hyperband_factor=3,
    ),
    "standard": Budget(
        "standard", max_trials=20, epochs=10, per_class=None, eval_samples=5000, width=64, final_epochs=100,
        final_eval_samples=20000, hyperband_max_epochs=10, hyperband_factor=3,
    ),
    "paper": Budget(
        "paper", max_trials=30, epochs=20, per_class=None, eval_samples=20000, width=64, final_epochs=500,
        final_eval_samples=20000, hyperband_max_epochs=20, hyperband_factor=3,
    ),
}


def get_budget(budget: "str | Budget" = "quick", **overrides) -> Budget:
    """Returns a preset (or the given `Budget`) with some fields replaced.

    Args:
        budget: A preset name in `BUDGETS` or a `Budget`.
        **overrides: Field values to replace (`None` keeps the preset's value), e.g. `max_trials=5`.

    Returns:
        A validated `Budget`.

    Raises:
        ConfigError: for an unknown preset name or a non-positive value.
    """
    if not isinstance(budget, Budget):
        if budget not in BUDGETS:
            raise ConfigError(f"unknown budget {budget!r}; choose one of {list(BUDGETS)}")
        budget = BUDGETS[budget]
    return dataclasses.replace(budget, **{k: v for k, v in overrides.items() if v is not None})
