"""NAS strategies as KerasTuner subclasses, one module per strategy (installed as nepscript_keras.tuners).

All strategies share one trial runner (`GANTuner`) and one constructor (`StrategyTuner`); they differ
only in their oracle. `get_tuner_class(name)` looks a strategy up by its CLI name.

Example:

>>> from nepscript_keras.tuners import get_tuner_class
>>> tuner = get_tuner_class("progressive")("paper", budget="smoke", directory="runs/p", project_name="search")
>>> tuner.search(data)
"""

import importlib

from nepscript_keras.errors import ConfigError
from nepscript_keras.tuners.adaptive import AdaptiveTuner
from nepscript_keras.tuners.gan_tuner import OBJECTIVE, GANTuner, StrategyTuner, space_hyperparameters
from nepscript_keras.tuners.multi_fidelity import MultiFidelityTuner
from nepscript_keras.tuners.progressive import PHASES, Phase, ProgressiveOracle, ProgressiveTuner
from nepscript_keras.tuners.random_search import RandomSearchTuner

TUNERS: dict[str, str] = {
    "random": "nepscript_keras.tuners.random_search:RandomSearchTuner",
    "progressive": "nepscript_keras.tuners.progressive:ProgressiveTuner",
    "adaptive": "nepscript_keras.tuners.adaptive:AdaptiveTuner",
    "multi_fidelity": "nepscript_keras.tuners.multi_fidelity:MultiFidelityTuner",
    "adversarial": "nepscript_keras.tuners.adversarial:AdversarialTuner",
}
"""Strategy name (the CLI's `--tuner`) -> `module:class`, imported when first asked for."""


def get_tuner_class(name: str) -> type[StrategyTuner]:
    """Returns the tuner class of a strategy.

    Args:
        name: One of `TUNERS` (`random`, `progressive`, `adaptive`, `multi_fidelity`, `adversarial`).

    Returns:
        A `StrategyTuner` subclass, constructed as `cls(space, budget=..., max_trials=..., seed=..., **kwargs)`.

    Raises:
        ConfigError: for an unknown name.
    """
    if name not in TUNERS:
        raise ConfigError(f"unknown tuner {name!r}; choose one of {list(TUNERS)}")
    module_name, class_name = TUNERS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)
