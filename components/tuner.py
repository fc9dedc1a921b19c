"""`Tuner`: runs one architecture-search strategy and outputs the best hyperparameters."""

import dataclasses
from typing import Any

from nepscript_keras.budgets import Budget, get_budget

from nepscript_keras.components.artifacts import Artifact, Examples, HyperParameters, get_single
from nepscript_keras.components.base import (BaseComponent, BaseExecutor, ChannelParameter, ComponentSpec, Parameter,
                                             adopt, resumable_work_dir)
from nepscript_keras.components.example_gen import load_examples


class TunerSpec(ComponentSpec):
    """Input: examples. Output: hyperparameters. Strategy, space, full budget and seed as parameters."""

    INPUTS = {"examples": ChannelParameter(Examples)}
    OUTPUTS = {"hyperparameters": ChannelParameter(HyperParameters)}
    PARAMETERS = {
        "tuner": Parameter(str, default="random"),
        "space": Parameter(str, default="paper"),
        "budget": Parameter(dict),
        "seed": Parameter(int, default=0),
    }


class TunerExecutor(BaseExecutor):
    """Calls `run_search` on the train split; its output folder (trials, best generator) becomes the artifact.

    The search runs in a work folder kept after a failure, so a rerun resumes the search's trials.
    """

    def Do(self, input_dict: dict[str, list[Artifact]], output_dict: dict[str, list[Artifact]],
           exec_properties: dict[str, Any]) -> None:
        from nepscript_keras.search import run_search

        hyperparameters = get_single(output_dict["hyperparameters"])
        work_dir = resumable_work_dir(hyperparameters, input_dict, exec_properties)
        result = run_search(tuner=exec_properties["tuner"], budget=Budget(**exec_properties["budget"]),
                            data=load_examples(get_single(input_dict["examples"]), "train"),
                            space=exec_properties["space"], output_dir=work_dir, seed=exec_properties["seed"])
        adopt(work_dir, hyperparameters)
        hyperparameters.properties.update(
            best_hparams=result.best_hparams, best_trial_id=result.best_trial_id, best_metrics=result.best_metrics,
            trials=len(result.trials), epochs_trained=result.epochs_trained,
            summary=f"{exec_properties['tuner']} search: best fid {result.best_metrics['fid']:.2f} "
                    f"(trial {result.best_trial_id} of {len(result.trials)}) with {result.best_hparams}")


class Tuner(BaseComponent):
    """Searches GAN architectures with one strategy on the `train` split.

    Args:
        examples: `ExampleGen`'s `examples` channel.
        tuner: Strategy name (`random`, `progressive`, `adaptive`, `multi_fidelity`, `adversarial`).
        space: Search space preset (`paper`: generator searched; `joint`: discriminator too).
        budget: A `Budget` or a preset name; stored in full, so a change to a preset invalidates the cache.
        seed: Search seed.

    Example:

    >>> tuner = Tuner(examples=example_gen.outputs["examples"], tuner="adaptive", budget="quick")
    """

    SPEC_CLASS = TunerSpec
    EXECUTOR_CLASS = TunerExecutor

    def __init__(self, examples, tuner: str = "random", space: str = "paper", budget: "str | Budget" = "quick",
                 seed: int = 0):
        super().__init__(examples=examples, tuner=tuner, space=space, budget=dataclasses.asdict(get_budget(budget)),
                         seed=seed)
