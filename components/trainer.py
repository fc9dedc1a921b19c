"""`Trainer`: trains the chosen architecture for the final budget."""

import os
from typing import Any

from nepscript_keras.components.artifacts import Artifact, Examples, HyperParameters, Model, get_single
from nepscript_keras.components.base import (BaseComponent, BaseExecutor, ChannelParameter, ComponentSpec, Parameter,
                                             adopt, resumable_work_dir)
from nepscript_keras.components.example_gen import load_examples


class TrainerSpec(ComponentSpec):
    """Inputs: examples and hyperparameters. Output: model. Training settings as parameters."""

    INPUTS = {"examples": ChannelParameter(Examples), "hyperparameters": ChannelParameter(HyperParameters)}
    OUTPUTS = {"model": ChannelParameter(Model)}
    PARAMETERS = {
        "epochs": Parameter(int),
        "width": Parameter(int, default=64),
        "batch_size": Parameter(int, default=32),
        "learning_rate": Parameter(float, default=0.002),
        "seed": Parameter(int, default=0),
    }


class TrainerExecutor(BaseExecutor):
    """Calls `training.train` with the best hyperparameters on the train split; its run folder is the model.

    Training runs in a work folder kept after a failure, so a rerun resumes from the last checkpoint.
    """

    def Do(self, input_dict: dict[str, list[Artifact]], output_dict: dict[str, list[Artifact]],
           exec_properties: dict[str, Any]) -> None:
        from nepscript_keras.search_space import BEST_HPARAMS_FILE, load_hparams
        from nepscript_keras.training import train

        model = get_single(output_dict["model"])
        work_dir = resumable_work_dir(model, input_dict, exec_properties)
        hparams = load_hparams(get_single(input_dict["hyperparameters"]).path(BEST_HPARAMS_FILE))
        summary = train(hparams, load_examples(get_single(input_dict["examples"]), "train"), output_dir=work_dir,
                        log_dir=os.path.join(work_dir, "tensorboard"), resume=True, **exec_properties)
        adopt(work_dir, model)
        model.properties.update({k: v for k, v in summary.items() if isinstance(v, (int, float))}, hparams=hparams)
        model.properties["summary"] = f"trained {summary['epochs_trained']} epoch(s) at width {exec_properties['width']}"


class Trainer(BaseComponent):
    """Trains the searched architecture on the `train` split (generator and discriminator files).

    Args:
        examples: `ExampleGen`'s `examples` channel.
        hyperparameters: `Tuner`'s `hyperparameters` channel.
        epochs: Training epochs (a budget's `final_epochs`).
        width: Base filter count.
        batch_size: Batch size.
        learning_rate: Adam learning rate of both networks.
        seed: Training seed.

    Example:

    >>> trainer = Trainer(examples=example_gen.outputs["examples"],
    ...                   hyperparameters=tuner.outputs["hyperparameters"], epochs=100)
    """

    SPEC_CLASS = TrainerSpec
    EXECUTOR_CLASS = TrainerExecutor

    def __init__(self, examples, hyperparameters, epochs: int, width: int = 64, batch_size: int = 32,
                 learning_rate: float = 0.002, seed: int = 0):
        super().__init__(examples=examples, hyperparameters=hyperparameters, epochs=epochs, width=width,
                         batch_size=batch_size, learning_rate=learning_rate, seed=seed)
