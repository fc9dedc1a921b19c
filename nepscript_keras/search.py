"""`run_search`: one architecture search, start to finish, and its output directory.

The library call behind `nepscript-keras tune`. Output directory:

- `trials.csv`: one row per trial in start order (status, phase/bracket, architecture, metrics, cost,
  best FID so far and cumulative epochs, failure reason).
- `best_hparams.json`: the best architecture (a `--hparams` file for `nepscript-keras train`).
- `best_generator.keras`, `best_samples.png`: the best trial's generator and 100 of its digits.
- `summary.md`: budget, data, best architecture and metrics, compute spent (and saved, for Hyperband).
- `search/`: KerasTuner's project (oracle state, one folder per trial); running again without
  `overwrite` resumes from it and repeats no finished trial.
- `tensorboard/`: per-trial training scalars and the HParams dashboard (`tensorboard --logdir ...`).

Example:

>>> result = run_search("progressive", budget="smoke", data="dhcd_digits_train.npz", output_dir="runs/p")
>>> result.best_metrics["fid"], result.best_hparams
"""

import dataclasses
import json
import os
import shutil
import time
from typing import Any

from nepscript_keras import budgets, distributed, io_utils, search_space
from nepscript_keras.data import DigitData
from nepscript_keras.errors import ConfigError, TrainingDivergedError

PROJECT_NAME = "search"
CONFIG_FILE = "search_config.json"
METRIC_COLUMNS = (
    "fid", "inception_score", "kid", "precision", "recall", "recognisable_rate", "class_entropy",
    "seconds", "generator_params", "discriminator_params", "epochs_trained",
)
INTEGER_METRICS = ("generator_params", "discriminator_params", "epochs_trained")
BOOKKEEPING_COLUMNS = {
    "phase": "tuner/phase", "bracket": "tuner/bracket", "round": "tuner/round",
    "initial_epoch": "tuner/initial_epoch", "epochs": "tuner/epochs", "parent": "tuner/trial_id",
}
TRIAL_COLUMNS = (
    ("trial", "status", *BOOKKEEPING_COLUMNS, *search_space.ALL_DIMENSIONS, *METRIC_COLUMNS)
    + ("cumulative_epochs", "best_fid_so_far", "message")
)


@dataclasses.dataclass
class SearchResult:
    """What a search found and what it cost.

    Attributes:
        tuner: Strategy name.
        output_dir: Where the outputs were written.
        budget: The `Budget` used.
        best_trial_id: ID of the best completed trial.
        best_hparams: The best architecture (flat hyperparameter dict).
        best_metrics: The best trial's metrics (`fid`, `inception_score`, ..., `seconds`).
        trials: One dict per trial (the rows of `trials.csv`).
        epochs_trained: Training epochs spent by the completed trials.
        epochs_full_budget: Epochs that training every completed candidate to full fidelity would cost.
        seconds: Wall time of this call (a resumed search counts only the resumed part).
        data_source: Description and fingerprint of the data searched on.
        overhead: Compute spent outside the trials (`seconds`, `epochs`; the adversarial supernet), or {}.
        planned_trials: Trials the strategy planned (Hyperband's brackets, else the budget's `max_trials`).
        full_epochs: Epochs one candidate trains at full fidelity.
    """

    tuner: str
    output_dir: str
    budget: budgets.Budget
    best_trial_id: str
    best_hparams: dict[str, Any]
    best_metrics: dict[str, float]
    trials: list[dict[str, Any]]
    epochs_trained: int
    epochs_full_budget: int
    seconds: float
    data_source: str
    overhead: dict[str, float] = dataclasses.field(default_factory=dict)
    planned_trials: int | None = None
    full_epochs: int | None = None

    @property
    def epochs_saved(self) -> int:
        """Training epochs early stopping saved (non-zero for multi-fidelity search)."""
        return self.epochs_full_budget - self.epochs_trained

    @property
    def best_generator_path(self) -> str:
        """Path of the best trial's generator (`best_generator.keras`)."""
        return os.path.join(self.output_dir, "best_generator.keras")


def run_search(
    tuner: str = "progressive",
    budget: "str | budgets.Budget" = "quick",
    data: "DigitData | str | os.PathLike | None" = None,
    space: str = "paper",
    max_trials: int | None = None,
    epochs: int | None = None,
    output_dir: str | os.PathLike | None = None,
    seed: int = 0,
    overwrite: bool = False,
    *,
    dataset: str | None = None,
    eval_samples: int | None = None,
    width: int | None = None,
    tensorboard_dir: str | None = None,
    verbose: int = 1,
    **tuner_kwargs,
) -> SearchResult | None:
    """Runs (or resumes) an architecture search and writes its output directory.

    Args:
        tuner: Strategy name: `random`, `progressive`, `adaptive`, `multi_fidelity` or `adversarial`.
        budget: Budget preset (`smoke`, `quick`, `standard`, `paper`) or a `Budget`.
        data: Real digits (`DigitData`) or a path for `load_digits`; None selects the default source
            (local DHCD, else download, else offline synthetic digits).
        space: Search space preset: `paper` (generator searched) or `joint` (discriminator too).
        max_trials: Overrides the budget's trial count.
        epochs: Overrides the budget's epochs per trial.
        output_dir: Output directory (default `runs/<tuner>`).
        seed: Seed of proposals, weight initialisation, training subsets and evaluation.
        overwrite: Start afresh instead of resuming a search found in `output_dir`.
        dataset: Named dataset (`dhcd`, `synthetic`) when `data` is None.
        eval_samples: Overrides the budget's evaluation samples per trial.
        width: Overrides the budget's base filter count.
        tensorboard_dir: TensorBoard root (default `<output_dir>/tensorboard`).
        verbose: 1 prints progress lines; 0 is silent.
        **tuner_kwargs: Extra arguments for the strategy's tuner (e.g. `learning_rate`, `beta`).

    Returns:
        A `SearchResult`; None on a distributed worker (`nepscript_keras.distributed`: the chief writes it).

    Raises:
        ConfigError: for an unknown tuner/space/budget, a non-positive count, or an output directory
            that holds a different search (pass `overwrite=True` or another directory).
        TrainingDivergedError: when no trial completed.
    """
    from nepscript_keras.data import load_digits
    from nepscript_keras.tuners import get_tuner_class

    start = time.perf_counter()
    _check_positive(max_trials=max_trials, epochs=epochs, eval_samples=eval_samples, width=width)
    tuner_class = get_tuner_class(tuner)
    distributed.check_search(tuner, overwrite)
    search_space.SearchSpace.preset(space)
    budget = budgets.get_budget(budget, epochs=epochs, eval_samples=eval_samples, width=width)
    output_dir = io_utils.ensure_dir(output_dir or os.path.join("runs", tuner))
    if not isinstance(data, DigitData):
        data = load_digits(data=data, dataset=dataset)
    config = {"tuner": tuner, "space": space, "seed": seed, "budget": dataclasses.asdict(budget),
              "data_fingerprint": data.fingerprint()}
    overwrite = _check_resumable(output_dir, config, overwrite)
    kt_tuner = tuner_class(
        space, budget=budget, max_trials=max_trials, seed=seed, directory=output_dir, project_name=PROJECT_NAME,
        overwrite=overwrite, tensorboard_dir=tensorboard_dir or os.path.join(output_dir, "tensorboard"),
        verbose=verbose, **tuner_kwargs,
    )
    io_utils.write_json(os.path.join(output_dir, CONFIG_FILE), config)
    if verbose:
        _say_plan(kt_tuner, tuner, data, output_dir)
    try:
        kt_tuner.search(data)
    except RuntimeError as e:  # KerasTuner stops after too many consecutive failed trials.
        if "consecutive failures" not in str(e):
            raise
        raise TrainingDivergedError(f"search stopped: {str(e).splitlines()[0]}; lower the learning rate or check the data") from e
    if distributed.is_worker():  # The chief holds the oracle and writes the results.
        return None
    kt_tuner.save()  # A chief last saved its oracle before the final trial ended (a resume would rerun it).
    result = _collect(kt_tuner, tuner, output_dir, data, time.perf_counter() - start)
    write_outputs(result, kt_tuner)
    if verbose:
        print(f"best fid {result.best_metrics['fid']:.2f} (trial {result.best_trial_id}); wrote {output_dir}", flush=True)
    return result


def trial_rows(kt_tuner) -> list[dict[str, Any]]:
    """Returns one row per trial of a tuner, in start order, with running best FID and epochs."""
    from nepscript_keras.tuners.gan_tuner import failure_reason

    rows, best, cumulative = [], None, 0
    for trial_id in kt_tuner.oracle.start_order:
        trial = kt_tuner.oracle.get_trial(trial_id)
        values = trial.hyperparameters.values
        row = {"trial": trial_id, "status": trial.status, "message": failure_reason(trial.message)}
        row.update({column: values.get(key, "") for column, key in BOOKKEEPING_COLUMNS.items()})
        row.update({k: values[k] for k in search_space.ALL_DIMENSIONS if k in values})
        for name in METRIC_COLUMNS:
            if trial.metrics.exists(name):
                value = float(trial.metrics.get_last_value(name))
                row[name] = int(value) if name in INTEGER_METRICS else value
        if trial.status == "COMPLETED":
            cumulative += int(row.get("epochs_trained", 0))
            best = row["fid"] if best is None else min(best, row["fid"])
        row.update(cumulative_epochs=cumulative, best_fid_so_far="" if best is None else best)
        rows.append(row)
    return rows


def write_outputs(result: SearchResult, kt_tuner) -> None:
    """Writes `trials.csv`, `best_hparams.json`, `best_generator.keras`, `best_samples.png`, `summary.md`."""
    from nepscript_keras.images import save_grid
    from nepscript_keras.models import generate_images, load_generator

    out = result.output_dir
    io_utils.write_csv(os.path.join(out, "trials.csv"), result.trials, TRIAL_COLUMNS)
    search_space.save_hparams(os.path.join(out, search_space.BEST_HPARAMS_FILE), result.best_hparams)
    source = kt_tuner.trial_file(result.best_trial_id, "generator.keras")
    with io_utils.atomic_path(result.best_generator_path) as tmp:
        shutil.copyfile(source, tmp)
    samples = generate_images(load_generator(result.best_generator_path), 100, seed=0)
    save_grid(samples, os.path.join(out, "best_samples.png"), ncols=10)
    io_utils.write_text(os.path.join(out, "summary.md"), summary_markdown(result))


def summary_markdown(result: SearchResult) -> str:
    """Returns the `summary.md` text of a search."""
    completed = [r for r in result.trials if r["status"] == "COMPLETED"]
    failed = [r for r in result.trials if r["status"] != "COMPLETED"]
    b = result.budget
    lines = [
        f"# Search: {result.tuner} ({b.name} budget)",
        "",
        f"- Data: {result.data_source}",
        f"- Budget: {result.planned_trials} trials planned, up to {result.full_epochs} epochs each, "
        f"{b.per_class or 'all'} images per digit, width {b.width}, {b.eval_samples} evaluation samples",
        f"- Trials: {len(result.trials)} run, {len(completed)} completed, {len(failed)} failed",
        f"- Training epochs: {result.epochs_trained} spent; training every candidate to full fidelity would "
        f"cost {result.epochs_full_budget} ({result.epochs_saved} saved)",
        *([f"- Before the trials (supernet): {result.overhead['epochs']} epochs, {result.overhead['seconds']:.0f} s"]
          if result.overhead else []),
        f"- Trial time: {sum(float(r.get('seconds', 0) or 0) for r in completed):.0f} s; this run: {result.seconds:.0f} s",
        "",
        f"## Best architecture (trial {result.best_trial_id})",
        "",
        "| hyperparameter | value |",
        "|---|---|",
        *(f"| {k} | {v} |" for k, v in result.best_hparams.items()),
        "",
        "## Best metrics",
        "",
        "| metric | value |",
        "|---|---|",
        *(f"| {k} | {_fmt(v)} |" for k, v in result.best_metrics.items()),
        "",
        "## Trials",
        "",
        "| trial | status | fid | best so far | epochs | seconds | architecture |",
        "|---|---|---|---|---|---|---|",
        *(_trial_line(r) for r in result.trials),
    ]
    for row in failed:
        lines.append(f"\nTrial {row['trial']} {row['status'].lower()}: {row['message']}")
    return "\n".join(lines) + "\n"


def _collect(kt_tuner, name: str, output_dir: str, data: DigitData, seconds: float) -> SearchResult:
    rows = trial_rows(kt_tuner)
    completed = [r for r in rows if r["status"] == "COMPLETED"]
    if not completed:
        reason = next((r["message"] for r in rows if r["message"]), "no trial ran")
        raise TrainingDivergedError(f"no trial completed ({len(rows)} failed; last reason: {reason}); lower the learning rate or check the data")
    best = min(completed, key=lambda r: r["fid"])
    return SearchResult(
        tuner=name,
        output_dir=output_dir,
        budget=kt_tuner.budget,
        best_trial_id=best["trial"],
        best_hparams={k: best[k] for k in search_space.ALL_DIMENSIONS},
        best_metrics={k: best[k] for k in METRIC_COLUMNS},
        trials=rows,
        epochs_trained=sum(int(r["epochs_trained"]) for r in completed),
        epochs_full_budget=sum(kt_tuner.full_epochs for r in completed if r["parent"] == ""),
        seconds=seconds,
        data_source=f"{data.source} [{data.split}], {len(data)} images, fingerprint {data.fingerprint()}",
        overhead=dict(getattr(kt_tuner, "supernet_cost", None) or {}),
        planned_trials=kt_tuner.planned_trials(),
        full_epochs=kt_tuner.full_epochs,
    )


def _check_positive(**values) -> None:
    for name, value in values.items():
        if value is not None and value <= 0:
            raise ConfigError(f"{name.replace('_', '-')} must be a positive integer, got {value}")


def _check_resumable(output_dir: str, config: dict, overwrite: bool) -> bool:
    """Returns `overwrite`, after checking that a search to resume in `output_dir` is the same search."""
    path = os.path.join(output_dir, CONFIG_FILE)
    if overwrite or not os.path.exists(path):
        return overwrite
    with open(path, encoding="utf-8") as f:
        previous = json.load(f)
    changed = [k for k in ("tuner", "space", "seed", "data_fingerprint") if previous.get(k) != config[k]]
    if changed:
        what = ", ".join(f"{k} {previous.get(k)!r} -> {config[k]!r}" for k in changed)
        raise ConfigError(f"{output_dir} holds a different search ({what}); pass --overwrite or another --output-dir")
    return False


def _say_plan(kt_tuner, tuner: str, data: DigitData, output_dir: str) -> None:
    budget = kt_tuner.budget
    print(
        f"tune {tuner}: {budget.name} budget, {kt_tuner.planned_trials()} trials, up to {kt_tuner.full_epochs} epochs each "
        f"(width {budget.width}, {budget.eval_samples} eval samples); data {data.source} "
        f"({len(data)} images); output {output_dir}",
        flush=True,
    )


def _trial_line(row: dict) -> str:
    arch = ", ".join(f"{k}={row[k]}" for k in search_space.ALL_DIMENSIONS if k in row)
    return (
        f"| {row['trial']} | {row['status']} | {_fmt(row.get('fid', ''))} | {_fmt(row['best_fid_so_far'])} "
        f"| {row.get('epochs_trained', '')} | {_fmt(row.get('seconds', ''))} | {arch} |"
    )


def _fmt(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
