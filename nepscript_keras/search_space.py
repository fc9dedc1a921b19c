"""The seed's architecture search space, its presets, and hyperparameter files.

Hyperparameters travel as one flat dict (the keys of `best_hparams.json` and of `--hparams` files):
generator `latent_dim`, `norm_type`, `activation`, `dropout_rate`, `use_residual`; discriminator
`d_norm_type`, `d_activation`, `d_dropout_rate`, `d_use_residual`.

Example:

>>> space = SearchSpace.preset("paper")
>>> hp = keras_tuner.HyperParameters()
>>> space.register(hp)
>>> space.validate({"latent_dim": 64})["norm_type"]
'batch'
"""

import dataclasses
import itertools
import json
import os
from typing import Any, Iterator, Mapping

from nepscript_keras import io_utils
from nepscript_keras.errors import ConfigError

GENERATOR_DIMENSIONS: dict[str, tuple] = {
    "latent_dim": (64, 100, 128, 200),
    "norm_type": ("batch", "instance"),
    "activation": ("relu", "leaky_relu"),
    "dropout_rate": (0.0, 0.1, 0.2, 0.3),
    "use_residual": (False, True),
}
DISCRIMINATOR_DIMENSIONS: dict[str, tuple] = {
    "d_norm_type": ("batch", "instance"),
    "d_activation": ("relu", "leaky_relu"),
    "d_dropout_rate": (0.0, 0.1, 0.2, 0.3, 0.5),
    "d_use_residual": (False, True),
}
ALL_DIMENSIONS: dict[str, tuple] = {**GENERATOR_DIMENSIONS, **DISCRIMINATOR_DIMENSIONS}

DEFAULT_HPARAMS: dict[str, Any] = {
    "latent_dim": 128,
    "norm_type": "batch",
    "activation": "relu",
    "dropout_rate": 0.2,
    "use_residual": True,
    "d_norm_type": "batch",
    "d_activation": "leaky_relu",
    "d_dropout_rate": 0.5,
    "d_use_residual": True,
}
"""The seed's best generator (Adaptive search) and its fixed discriminator."""

TRAINING_DEFAULTS: dict[str, Any] = {"learning_rate": 0.002, "batch_size": 32, "label_smoothing": 0.1}
"""The seed's training settings (Adam beta_1 = 0.5 is fixed in `gan.build_gan`)."""

BEST_HPARAMS_FILE = "best_hparams.json"


@dataclasses.dataclass(frozen=True)
class SearchSpace:
    """A set of searched dimensions; every other hyperparameter is fixed at the seed's value.

    Args:
        name: Preset name (`"paper"`, `"joint"`) or a user label.
        dimensions: Searched names mapped to their allowed values (a subset of `ALL_DIMENSIONS`).

    Example:

    >>> SearchSpace.preset("joint").size
    5120
    """

    name: str
    dimensions: Mapping[str, tuple]

    def __post_init__(self):
        for key, values in self.dimensions.items():
            _check_key(key)
            bad = [v for v in values if _canonical(key, v) is None]
            if bad or not values:
                raise ConfigError(f"dimension {key}: values {bad or '[]'} are not in {list(ALL_DIMENSIONS[key])}")

    @classmethod
    def preset(cls, name: str) -> "SearchSpace":
        """Returns `paper` (generator searched, discriminator fixed) or `joint` (both searched)."""
        if name == "paper":
            return cls("paper", dict(GENERATOR_DIMENSIONS))
        if name == "joint":
            return cls("joint", dict(ALL_DIMENSIONS))
        raise ConfigError(f"unknown search space {name!r}; choose one of ['paper', 'joint']")

    @property
    def fixed(self) -> dict[str, Any]:
        """The hyperparameters this space does not search, at their fixed (seed) values."""
        return {k: v for k, v in DEFAULT_HPARAMS.items() if k not in self.dimensions}

    @property
    def size(self) -> int:
        """Number of distinct architectures in the space."""
        count = 1
        for values in self.dimensions.values():
            count *= len(values)
        return count

    def allowed(self, key: str) -> tuple:
        """The values `key` may take in this space (a one-value tuple for a fixed name)."""
        _check_key(key)
        return tuple(self.dimensions.get(key, (DEFAULT_HPARAMS[key],)))

    def register(self, hp) -> None:
        """Defines every hyperparameter on a `keras_tuner.HyperParameters`.

        Searched names become `hp.Choice` (`hp.Boolean` for `use_residual`; default = the seed's
        value), fixed ones `hp.Fixed`, so
        `hp.values` always holds the complete flat dict that `build_generator(hp)` reads.

        Args:
            hp: A `keras_tuner.HyperParameters`.
        """
        for key, default in DEFAULT_HPARAMS.items():
            values = self.allowed(key)
            if len(values) == 1:
                hp.Fixed(key, values[0])
            elif isinstance(default, bool):  # hp.Choice would turn booleans into 0/1.
                hp.Boolean(key, default=default)
            else:
                hp.Choice(key, list(values), default=default if default in values else values[0])

    def defaults(self) -> dict[str, Any]:
        """The seed's configuration (a fresh dict)."""
        return dict(DEFAULT_HPARAMS)

    def validate(self, hparams: Mapping[str, Any]) -> dict[str, Any]:
        """Checks a (partial) hyperparameter dict against the space and completes it with defaults.

        Keys starting with `tuner/` (KerasTuner bookkeeping) are ignored.

        Args:
            hparams: Flat dict, e.g. loaded from `best_hparams.json` or `hp.values`.

        Returns:
            A complete dict with every name, values in their canonical type (e.g. `latent_dim` int).

        Raises:
            ConfigError: naming the key and its allowed values, for an unknown key or a value outside the space.
        """
        result = self.defaults()
        for key, value in hparams.items():
            if key.startswith("tuner/"):
                continue
            allowed = self.allowed(key)
            canonical = _canonical(key, value, allowed)
            if canonical is None:
                raise ConfigError(f"hyperparameter {key}={value!r} is outside the {self.name} space; allowed: {list(allowed)}")
            result[key] = canonical
        return result

    def combinations(self) -> Iterator[dict[str, Any]]:
        """Yields every architecture in the space as a complete hyperparameter dict."""
        keys = list(self.dimensions)
        for values in itertools.product(*(self.dimensions[k] for k in keys)):
            yield {**self.defaults(), **dict(zip(keys, values))}


def _check_key(key: str) -> None:
    if key not in ALL_DIMENSIONS:
        raise ConfigError(f"unknown hyperparameter {key!r}; known names: {list(ALL_DIMENSIONS)}")


def _canonical(key: str, value: Any, allowed: tuple | None = None) -> Any:
    """Returns the allowed value equal to `value` (a boolean also matches 0/1), or None."""
    for candidate in ALL_DIMENSIONS[key] if allowed is None else allowed:
        if isinstance(value, bool) and not isinstance(candidate, bool):
            continue
        if isinstance(value, (bool, int, float, str)) and candidate == value:
            return candidate
    return None


def hparams_dict(hp: Any) -> dict[str, Any]:
    """Returns the flat dict behind a `keras_tuner.HyperParameters`, a mapping or None (empty)."""
    if hp is None:
        return {}
    if hasattr(hp, "values") and not isinstance(hp, Mapping):
        return dict(hp.values)
    return dict(hp)


def load_hparams(path: str | os.PathLike, space: SearchSpace | None = None) -> dict[str, Any]:
    """Reads and validates a hyperparameter JSON file (e.g. `best_hparams.json`).

    Args:
        path: JSON file holding one flat object.
        space: Space to validate against (default: `joint`, which accepts every valid architecture).

    Returns:
        The complete, validated hyperparameter dict.

    Raises:
        ConfigError: if the file is missing, not a JSON object, or holds an invalid key/value.
    """
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            obj = json.load(f)
    except OSError as e:
        raise ConfigError(f"cannot read hyperparameter file {path}: {e.strerror}; pass an existing JSON file") from e
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path} is not valid JSON ({e.msg} at line {e.lineno}); fix or regenerate it") from e
    if not isinstance(obj, dict):
        raise ConfigError(f"{path} must hold a JSON object of hyperparameters, got {type(obj).__name__}")
    try:
        return (space or SearchSpace.preset("joint")).validate(obj)
    except ConfigError as e:
        raise ConfigError(f"{path}: {e}") from e


def save_hparams(path: str | os.PathLike, hparams: Mapping[str, Any]) -> None:
    """Atomically writes the architecture hyperparameters in `hparams` as a JSON object."""
    io_utils.write_json(path, {k: v for k, v in hparams.items() if k in ALL_DIMENSIONS})
