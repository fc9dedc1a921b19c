"""`ExampleGen`: loads and validates the digits, writes them as splits with statistics."""

import hashlib
import os
from typing import Any

import numpy as np

from nepscript_keras.errors import ConfigError

from nepscript_keras.components.artifacts import Artifact, Examples, get_single
from nepscript_keras.components.base import BaseComponent, BaseExecutor, ChannelParameter, ComponentSpec, Parameter


class ExampleGenSpec(ComponentSpec):
    """No inputs; one `Examples` output; the data selection and split as parameters."""

    OUTPUTS = {"examples": ChannelParameter(Examples)}
    PARAMETERS = {
        "data": Parameter((str, type(None)), default=None),
        "dataset": Parameter((str, type(None)), default=None),
        "per_class": Parameter((int, type(None)), default=None),
        "eval_fraction": Parameter(float, default=0.1),
        "seed": Parameter(int, default=0),
    }


class ExampleGenExecutor(BaseExecutor):
    """Calls `load_digits`, optionally subsets, splits train/eval and writes `<split>.npz` + statistics."""

    def Do(self, input_dict: dict[str, list[Artifact]], output_dict: dict[str, list[Artifact]],
           exec_properties: dict[str, Any]) -> None:
        from nepscript_keras.data import load_digits
        from nepscript_keras.images import save_grid

        examples = get_single(output_dict["examples"])
        data = load_digits(data=exec_properties["data"], dataset=exec_properties["dataset"],
                           seed=exec_properties["seed"])
        if exec_properties["per_class"]:
            data = data.subset(exec_properties["per_class"], seed=exec_properties["seed"])
        splits = _split(data, exec_properties["eval_fraction"], exec_properties["seed"])
        for name, split in splits.items():
            np.savez_compressed(examples.path(f"{name}.npz"), images=split.images, labels=split.labels,
                                split=np.array(name))
        save_grid(data.images[:100], examples.path("samples.png"))
        examples.properties.update({
            "source": data.source,
            "data_fingerprint": data.fingerprint(),
            "splits": {name: _statistics(split) for name, split in splits.items()},
        })


class ExampleGen(BaseComponent):
    """Loads and validates the digit data and writes the `examples` artifact.

    Args:
        data: A data path (`.npz`, DHCD folder tree, UCI zip, Kaggle-style CSV), or None.
        dataset: A named dataset (`"dhcd"`, `"synthetic"`). With neither `data` nor `dataset`, the default
            source (`data.default_dataset()`: cached or downloadable DHCD, else synthetic) is chosen
            now, so that the cache key names it.
        per_class: Keep a class-balanced random subset of this many images per digit (None: all).
        eval_fraction: Fraction of each class held out as the `eval` split (0: only `train`).
        seed: Seed of the subset and the split.

    Example:

    >>> example_gen = ExampleGen(data="dhcd_digits_train.npz", eval_fraction=0.1)
    >>> example_gen.outputs["examples"]
    """

    SPEC_CLASS = ExampleGenSpec
    EXECUTOR_CLASS = ExampleGenExecutor

    def __init__(self, data: str | None = None, dataset: str | None = None, per_class: int | None = None,
                 eval_fraction: float = 0.1, seed: int = 0):
        if not 0.0 <= eval_fraction < 1.0:
            raise ConfigError(f"eval_fraction must be in [0, 1), got {eval_fraction}")
        if data is None and dataset is None:
            from nepscript_keras.data import default_dataset

            dataset = default_dataset()
        super().__init__(data=None if data is None else os.path.abspath(os.fspath(data)), dataset=dataset,
                         per_class=per_class, eval_fraction=eval_fraction, seed=seed)

    def external_fingerprint(self, input_dict: dict[str, list[Artifact]]) -> str:
        """Size and modification time of the data path, so an edited file is loaded again."""
        del input_dict
        path = self.exec_properties["data"]
        if path is None or not os.path.exists(path):
            return ""
        files = [path] if os.path.isfile(path) else sorted(
            os.path.join(d, f) for d, _, names in os.walk(path) for f in names)
        stats = ";".join(f"{f}:{os.stat(f).st_size}:{os.stat(f).st_mtime_ns}" for f in files)
        return hashlib.sha256(stats.encode("utf-8")).hexdigest()[:16]


def load_examples(examples: Artifact, split: str = "train"):
    """Reads one split of an `Examples` artifact.

    Args:
        examples: The artifact written by `ExampleGen`.
        split: `"train"` or `"eval"`.

    Returns:
        The split as a `DigitData`.
    """
    from nepscript_keras.data import load_npz

    return load_npz(examples.path(f"{split}.npz"))


def _split(data, eval_fraction: float, seed: int) -> dict:
    if eval_fraction == 0.0:
        return {"train": data}
    train, holdout = data.split_holdout(eval_fraction, seed=seed)
    return {"train": train, "eval": holdout}


def _statistics(data) -> dict[str, Any]:
    return {
        "num_images": len(data),
        "class_counts": data.class_counts().tolist(),
        "fingerprint": data.fingerprint(),
        "pixel_mean": round(float(data.images.mean()), 4),
        "ink_fraction": round(float((data.images > 127).mean()), 4),
    }
