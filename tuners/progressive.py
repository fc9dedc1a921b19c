"""Progressive search: phases of growing architectural complexity, each starting from the best so far.

Phase 1 (`core`) searches the latent size and normalisation of a plain network (no residual blocks, no
dropout); phase 2 (`shape`) searches activations and residual blocks around the phase-1 best; phase 3
(`full`) searches dropout and perturbs any dimension of the best so far. The trial budget is split across
the phases (30% / 30% / 40%), and each trial's values carry its phase as `tuner/phase` (1, 2, 3).
"""

import dataclasses
import random
from typing import Any, Sequence

import keras_tuner

from nepscript_keras.tuners import gan_tuner

PHASE_KEY = "tuner/phase"


@dataclasses.dataclass(frozen=True)
class Phase:
    """One phase of a progressive search.

    Args:
        name: Short label.
        unlocks: Dimensions resampled in this phase (names the space does not search are ignored).
        share: Fraction of the trial budget spent in this phase.
        perturb: Probability of also resampling each other searched dimension of the base architecture.
    """

    name: str
    unlocks: tuple[str, ...]
    share: float
    perturb: float = 0.0


PHASES = (
    Phase("core", ("latent_dim", "norm_type", "d_norm_type"), 0.3),
    Phase("shape", ("activation", "use_residual", "d_activation", "d_use_residual"), 0.3),
    Phase("full", ("dropout_rate", "d_dropout_rate"), 0.4, perturb=1 / 3),
)
"""The default phases: core, shape, then the full space around the best so far."""

SIMPLEST = {"use_residual": False, "dropout_rate": 0.0, "d_use_residual": False, "d_dropout_rate": 0.0}
"""Values that keep a dimension simple until its phase unlocks it."""


def phase_boundaries(max_trials: int, shares: Sequence[float]) -> list[int]:
    """Returns the cumulative trial counts at which each phase ends (the last equals `max_trials`).

    Every phase gets at least one trial while there are enough; with fewer trials the early phases run.
    """
    total, cumulative = sum(shares), 0.0
    bounds = []
    for number, share in enumerate(shares, start=1):
        cumulative += share
        bounds.append(max(int(round(max_trials * cumulative / total)), min(number, max_trials)))
    return bounds


class ProgressiveOracle(keras_tuner.Oracle):
    """Proposes architectures phase by phase (see the module docstring).

    Args:
        objective: The objective (`Objective("fid", "min")` for GAN searches).
        max_trials: Total trials, split across the phases by their `share`.
        hyperparameters: The space (`Choice` names are searched, `Fixed` ones kept).
        phases: The phases, in order (default `PHASES`).
        seed: Seed of the proposals: the same seed gives the same sequence for the same results.
        **kwargs: Other `keras_tuner.Oracle` arguments.

    Example:

    >>> oracle = ProgressiveOracle(gan_tuner.OBJECTIVE, max_trials=10,
    ...                            hyperparameters=gan_tuner.space_hyperparameters("paper"), seed=1)
    >>> oracle.boundaries
    [3, 6, 10]
    """

    def __init__(
        self,
        objective=None,
        max_trials: int = 10,
        hyperparameters: keras_tuner.HyperParameters | None = None,
        phases: Sequence[Phase] = PHASES,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(objective=objective, max_trials=max_trials, hyperparameters=hyperparameters, seed=seed, **kwargs)
        self.phases = tuple(phases)
        self.boundaries = phase_boundaries(max_trials, [p.share for p in self.phases])

    def phase_of(self, trial_number: int) -> int:
        """Returns the 1-based phase of the `trial_number`-th trial (0-based); extra trials join the last."""
        for phase, bound in enumerate(self.boundaries, start=1):
            if trial_number < bound:
                return phase
        return len(self.phases)

    def populate_space(self, trial_id: str) -> dict[str, Any]:
        """Proposes the next architecture of the current phase (waits for the previous phase to finish)."""
        phase = self.phase_of(len(self.trials))
        if any(t.hyperparameters.values.get(PHASE_KEY, phase) < phase for t in self.ongoing_trials.values()):
            return {"status": "IDLE"}
        values = self._propose(trial_id, phase)
        if values is None:
            return {"status": "IDLE" if self.ongoing_trials else "STOPPED"}
        values[PHASE_KEY] = phase
        return {"status": "RUNNING", "values": values}

    def _propose(self, trial_id: str, phase: int) -> dict[str, Any] | None:
        """A new (never tried) architecture, widening to later phases when this one is exhausted."""
        for widened in range(phase, len(self.phases) + 1):
            for attempt in range(self._max_collisions):
                rng = random.Random(f"{self.seed}/{trial_id}/{widened}/{attempt}")
                values = self._candidate(widened, rng)
                if not self._duplicate(values):
                    return values
        return self._random_values()

    def _candidate(self, phase: int, rng: random.Random) -> dict[str, Any]:
        spec = self.phases[phase - 1]
        values = self._base(phase)
        for hp in gan_tuner.searched(self.hyperparameters):
            if hp.name in spec.unlocks or rng.random() < spec.perturb:
                values[hp.name] = rng.choice(list(hp.values))
        return values

    def _base(self, phase: int) -> dict[str, Any]:
        """The starting architecture: the best completed trial so far, or the simplest one in phase 1."""
        best = self.get_best_trials(1)
        if phase > 1 and best and best[0].status == keras_tuner.engine.trial.TrialStatus.COMPLETED:
            return gan_tuner.architecture(best[0].hyperparameters.values)
        values = {hp.name: hp.default for hp in self.hyperparameters.space}
        for hp in gan_tuner.searched(self.hyperparameters):
            if SIMPLEST.get(hp.name) in hp.values:
                values[hp.name] = SIMPLEST[hp.name]
        return values

    def _compute_values_hash(self, values):
        return super()._compute_values_hash({k: v for k, v in values.items() if k != PHASE_KEY})

    def get_state(self) -> dict[str, Any]:
        state = super().get_state()
        state["phase_boundaries"] = self.boundaries
        return state

    def set_state(self, state: dict[str, Any]) -> None:
        super().set_state(state)
        self.boundaries = state["phase_boundaries"]


class ProgressiveTuner(gan_tuner.StrategyTuner):
    """Progressive search (a `ProgressiveOracle` with the default `PHASES`).

    Takes the `StrategyTuner` arguments (`space`, `budget`, `max_trials`, `seed`, `GANTuner` keywords).

    Example:

    >>> tuner = ProgressiveTuner("paper", budget="quick", directory="runs/progressive", project_name="search")
    >>> tuner.search(load_digits(dataset="synthetic"))
    """

    def build_oracle(self, hyperparameters, budget, seed):
        return ProgressiveOracle(
            gan_tuner.OBJECTIVE, max_trials=budget.max_trials, hyperparameters=hyperparameters, seed=seed
        )
