"""`Evaluator`: evaluates the trained generator and decides whether it is blessed for serving.

The metrics come from `nepscript_keras.evaluation.evaluate` (20,000 samples by default). The blessing
passes only if every configured check holds: FID at most `max_fid`, recognisable rate at least
`min_recognisable_rate`, and (with a `baseline_dir`) FID not worse than the last pushed model's, when
that model was evaluated comparably (same reference data, extractor and sample count).
"""

import json
import os
from typing import Any

from nepscript_keras.errors import ConfigError

from nepscript_keras.components.artifacts import Artifact, Examples, Model, ModelBlessing, ModelEvaluation, get_single
from nepscript_keras.components.base import BaseComponent, BaseExecutor, ChannelParameter, ComponentSpec, Parameter
from nepscript_keras.components.example_gen import load_examples
from nepscript_keras.components.pusher import latest_pushed

_OPTIONAL_FLOAT = (float, type(None))
_COMPARABLE = ("data_fingerprint", "extractor_fingerprint", "num_samples")
"""Metrics that must match for two FIDs to be compared."""


class EvaluatorSpec(ComponentSpec):
    """Inputs: examples and model. Outputs: evaluation and blessing. Sampling and thresholds as parameters."""

    INPUTS = {"examples": ChannelParameter(Examples), "model": ChannelParameter(Model)}
    OUTPUTS = {"evaluation": ChannelParameter(ModelEvaluation), "blessing": ChannelParameter(ModelBlessing)}
    PARAMETERS = {
        "num_samples": Parameter(int, default=20000),
        "split": Parameter(str, default="eval"),
        "extractor": Parameter(str, default="dhcd-classifier"),
        "seed": Parameter(int, default=0),
        "max_fid": Parameter(_OPTIONAL_FLOAT, default=None),
        "min_recognisable_rate": Parameter(_OPTIONAL_FLOAT, default=None),
        "baseline_dir": Parameter((str, type(None)), default=None),
    }


class EvaluatorExecutor(BaseExecutor):
    """Calls `evaluate` on the model's generator and the chosen split, then applies the thresholds."""

    def Do(self, input_dict: dict[str, list[Artifact]], output_dict: dict[str, list[Artifact]],
           exec_properties: dict[str, Any]) -> None:
        from nepscript_keras.evaluation import evaluate
        from nepscript_keras.io_utils import write_json, write_text
        from nepscript_keras.models import load_generator

        examples, model = get_single(input_dict["examples"]), get_single(input_dict["model"])
        if exec_properties["split"] not in examples.properties["splits"]:
            raise ConfigError(f"examples have no {exec_properties['split']!r} split "
                              f"(have {sorted(examples.properties['splits'])}); set the Evaluator's split")
        metrics = evaluate(load_generator(model.path("generator.keras")),
                           load_examples(examples, exec_properties["split"]),
                           num_samples=exec_properties["num_samples"], extractor=exec_properties["extractor"],
                           seed=exec_properties["seed"])
        evaluation = get_single(output_dict["evaluation"])
        write_json(evaluation.path("metrics.json"), metrics)
        evaluation.properties.update(_scalars(metrics), summary=(
            f"fid {metrics['fid']:.2f}, inception score {metrics['inception_score']:.2f}, recognisable rate "
            f"{metrics['recognisable_rate']:.3f} on {metrics['num_samples']} samples"))
        baseline = latest_pushed(exec_properties["baseline_dir"], exclude=model.fingerprint)
        comparable = baseline is not None and all(baseline["metrics"].get(k) == metrics[k] for k in _COMPARABLE)
        blessed, reasons = bless(metrics, exec_properties["max_fid"], exec_properties["min_recognisable_rate"],
                                 baseline_fid=baseline["metrics"]["fid"] if comparable else None)
        if baseline and not comparable:
            reasons.append(f"last blessed version {baseline['version']} was evaluated on other data, extractor "
                           "or sample count: not compared")
        blessing = get_single(output_dict["blessing"])
        decision = {"blessed": blessed, "reasons": reasons, "model_fingerprint": model.fingerprint,
                    "baseline_version": baseline["version"] if baseline else None}
        write_json(blessing.path("blessing.json"), decision)
        write_text(blessing.path("BLESSED" if blessed else "NOT_BLESSED"), "")
        blessing.properties.update(decision, summary=("BLESSED" if blessed else "NOT BLESSED") + ": " + "; ".join(reasons))


class Evaluator(BaseComponent):
    """Evaluates the trained generator against the real digits and blesses (or not) the model.

    Args:
        examples: `ExampleGen`'s `examples` channel.
        model: `Trainer`'s `model` channel.
        num_samples: Generated samples to evaluate (the seed's protocol: 20,000).
        split: Real split to compare with (`"eval"`, the held-out digits, or `"train"`).
        extractor: Feature extractor passed to `evaluate`.
        seed: Sampling seed.
        max_fid: Bless only if FID is at most this (None: no limit).
        min_recognisable_rate: Bless only if at least this fraction of samples is recognised as a digit.
        baseline_dir: Serving folder; bless only if FID is not worse than its latest pushed model's
            (None: no comparison).

    Example:

    >>> evaluator = Evaluator(examples=example_gen.outputs["examples"], model=trainer.outputs["model"],
    ...                       max_fid=50.0, baseline_dir="serving")
    """

    SPEC_CLASS = EvaluatorSpec
    EXECUTOR_CLASS = EvaluatorExecutor

    def __init__(self, examples, model, num_samples: int = 20000, split: str = "eval",
                 extractor: str = "dhcd-classifier", seed: int = 0, max_fid: float | None = None,
                 min_recognisable_rate: float | None = None, baseline_dir: str | None = None):
        super().__init__(examples=examples, model=model, num_samples=num_samples, split=split, extractor=extractor,
                         seed=seed, max_fid=max_fid, min_recognisable_rate=min_recognisable_rate,
                         baseline_dir=None if baseline_dir is None else os.path.abspath(baseline_dir))

    def external_fingerprint(self, input_dict: dict[str, list[Artifact]]) -> str:
        """The baseline pushed model (its version and fingerprint), which the blessing compares with."""
        baseline = latest_pushed(self.exec_properties["baseline_dir"],
                                 exclude=get_single(input_dict["model"]).fingerprint)
        return json.dumps([baseline["version"], baseline["model_fingerprint"]]) if baseline else ""


def bless(metrics: dict[str, Any], max_fid: float | None = None, min_recognisable_rate: float | None = None,
          baseline_fid: float | None = None) -> tuple[bool, list[str]]:
    """Decides the blessing: every configured check must pass.

    Args:
        metrics: The result of `evaluate` (`fid`, `recognisable_rate`, ...).
        max_fid: Largest acceptable FID, or None.
        min_recognisable_rate: Smallest acceptable recognisable rate, or None.
        baseline_fid: FID of the last blessed (pushed) model, or None.

    Returns:
        `(blessed, reasons)`: one reason per check, saying how it went.

    Example:

    >>> bless({"fid": 40.0, "recognisable_rate": 0.9}, max_fid=50.0)
    (True, ['fid 40.00 <= max 50.00'])
    """
    fid, rate = float(metrics["fid"]), float(metrics["recognisable_rate"])
    checks = []
    if max_fid is not None:
        checks.append((fid <= max_fid, f"fid {fid:.2f} {'<=' if fid <= max_fid else '>'} max {max_fid:.2f}"))
    if min_recognisable_rate is not None:
        ok = rate >= min_recognisable_rate
        checks.append((ok, f"recognisable rate {rate:.3f} {'>=' if ok else '<'} min {min_recognisable_rate:.3f}"))
    if baseline_fid is not None:
        ok = fid <= baseline_fid
        checks.append((ok, f"fid {fid:.2f} {'<=' if ok else '>'} last blessed {baseline_fid:.2f}"))
    if not checks:
        return True, ["no thresholds and no blessed baseline: blessed by default"]
    return all(ok for ok, _ in checks), [reason for _, reason in checks]


def _scalars(metrics: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metrics.items() if isinstance(v, (int, float, str, bool))}
