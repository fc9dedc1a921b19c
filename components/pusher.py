"""`Pusher`: copies a blessed generator into a versioned serving folder.

Layout: `<serving_dir>/<n>/generator.keras` (the Keras model), `<serving_dir>/<n>/saved_model/` (a
TensorFlow SavedModel from `model.export`, for TF Serving / TFLite converters) and `push.json` (model
fingerprint, metrics, source). Versions count up from 1; each is written in a staging folder and renamed
into place. An unblessed model is not pushed, and the `pushed` artifact says so.
"""

import json
import os
import re
import shutil
import tempfile
from typing import Any

from nepscript_keras.components.artifacts import Artifact, Model, ModelBlessing, ModelEvaluation, PushedModel, get_single
from nepscript_keras.components.base import BaseComponent, BaseExecutor, ChannelParameter, ComponentSpec, Parameter

PUSH_FILE = "push.json"


class PusherSpec(ComponentSpec):
    """Inputs: model, blessing, evaluation. Output: pushed. The serving folder as a parameter."""

    INPUTS = {"model": ChannelParameter(Model), "blessing": ChannelParameter(ModelBlessing),
              "evaluation": ChannelParameter(ModelEvaluation)}
    OUTPUTS = {"pushed": ChannelParameter(PushedModel)}
    PARAMETERS = {"serving_dir": Parameter(str)}


class PusherExecutor(BaseExecutor):
    """Pushes a blessed model as the next version (unless it already is the latest); else does nothing."""

    def Do(self, input_dict: dict[str, list[Artifact]], output_dict: dict[str, list[Artifact]],
           exec_properties: dict[str, Any]) -> None:
        from nepscript_keras.io_utils import write_json

        model, blessing = get_single(input_dict["model"]), get_single(input_dict["blessing"])
        pushed, serving_dir = get_single(output_dict["pushed"]), exec_properties["serving_dir"]
        latest = latest_pushed(serving_dir)
        if not blessing.properties["blessed"]:
            result = {"pushed": False, "summary": "model not blessed (" + "; ".join(blessing.properties["reasons"])
                      + "); nothing pushed"}
        elif latest and latest["model_fingerprint"] == model.fingerprint:
            result = {"pushed": False, "version": latest["version"], "destination": latest["uri"],
                      "summary": f"model already serving as version {latest['version']}; nothing pushed"}
        else:
            metrics = get_single(input_dict["evaluation"]).properties
            destination = _push(model, serving_dir, (latest["version"] if latest else 0) + 1, metrics)
            result = {"pushed": True, "version": int(os.path.basename(destination)), "destination": destination,
                      "summary": f"pushed as version {os.path.basename(destination)} to {destination}"}
        write_json(pushed.path("pushed.json"), result)
        pushed.properties.update(result)


class Pusher(BaseComponent):
    """Pushes a blessed generator to `serving_dir` as the next version; leaves an unblessed one alone.

    Args:
        model: `Trainer`'s `model` channel.
        blessing: `Evaluator`'s `blessing` channel.
        evaluation: `Evaluator`'s `evaluation` channel (its metrics are stored with the push).
        serving_dir: Folder of the versioned pushed generators.

    Example:

    >>> pusher = Pusher(model=trainer.outputs["model"], blessing=evaluator.outputs["blessing"],
    ...                 evaluation=evaluator.outputs["evaluation"], serving_dir="serving")
    """

    SPEC_CLASS = PusherSpec
    EXECUTOR_CLASS = PusherExecutor

    def __init__(self, model, blessing, evaluation, serving_dir: str):
        super().__init__(model=model, blessing=blessing, evaluation=evaluation,
                         serving_dir=os.path.abspath(os.fspath(serving_dir)))


def latest_pushed(serving_dir: str | None, exclude: str | None = None) -> dict[str, Any] | None:
    """Returns the newest push record in a serving folder.

    Args:
        serving_dir: The serving folder, or None.
        exclude: Skip versions holding the model with this fingerprint (a model is not its own baseline).

    Returns:
        The version's `push.json` content plus `uri`, or None when there is none.
    """
    if not serving_dir or not os.path.isdir(serving_dir):
        return None
    for version in sorted((int(v) for v in os.listdir(serving_dir) if re.fullmatch(r"\d+", v)), reverse=True):
        uri = os.path.join(serving_dir, str(version))
        if not os.path.isfile(os.path.join(uri, PUSH_FILE)):
            continue
        with open(os.path.join(uri, PUSH_FILE), encoding="utf-8") as f:
            record = json.load(f)
        if record["model_fingerprint"] != exclude:
            return dict(record, uri=uri)
    return None


def _push(model: Artifact, serving_dir: str, version: int, metrics: dict[str, Any]) -> str:
    from nepscript_keras.io_utils import ensure_dir, write_json
    from nepscript_keras.models import load_generator

    staging = tempfile.mkdtemp(prefix=".staging-", dir=ensure_dir(serving_dir))
    try:
        shutil.copy2(model.path("generator.keras"), os.path.join(staging, "generator.keras"))
        load_generator(model.path("generator.keras")).export(os.path.join(staging, "saved_model"), verbose=False)
        write_json(os.path.join(staging, PUSH_FILE), {"version": version, "model_fingerprint": model.fingerprint,
                                                      "model_uri": model.uri, "metrics": metrics})
        destination = os.path.join(serving_dir, str(version))
        os.rename(staging, destination)
        return destination
    finally:
        shutil.rmtree(staging, ignore_errors=True)
