"""`compare`: every NAS strategy under the same compute budget, side by side (`nepscript-keras compare`).

Fairness: each strategy gets the same number of training epochs for its search (the epoch budget,
default `budget.max_trials * budget.epochs`, what a plain random search of the budget spends) and is
planned to stay within it: random/progressive/adaptive run `epoch_budget // budget.epochs` trials;
multi-fidelity runs Hyperband's brackets in order and stops before the trial that would exceed the
budget; the adversarial strategy's supernet epochs count as spent, so its supernet gets at most half
the budget and the rest trains its top architectures. Every strategy searches on the same data with the
same evaluation protocol, then its best architecture trains for `budget.final_epochs` on the same
training images and is evaluated on `budget.final_eval_samples` samples against the real data.

Output directory:

- `comparison.md`, `comparison.csv`, `comparison.json`: the table (mean ± std over seeds) and the
  "which strategy when" paragraph computed from it.
- `search_curves.png` (best FID so far against training epochs spent), `fid_vs_params.png` (every trial,
  Pareto front marked), `samples.png` (the final generators' digits side by side).
- `runs/<strategy>/seed_<s>/`: the search (`search/`, resumable), the final training (`final/`) and
  `finished.json`; a finished pair is not rerun, so an interrupted comparison continues where it stopped.
- `tensorboard/`: the search curves and final metrics (`curves/`), trial and final-training logs.

Example:

>>> result = compare("all", budget="quick", data="dhcd_digits_train.npz", output_dir="runs/compare")
>>> print(result.which_strategy_when)
"""

import dataclasses
import itertools
import json
import math
import os
import shutil
import statistics
import time
from typing import Any, Sequence

from nepscript_keras import budgets, io_utils, search_space
from nepscript_keras.data import DigitData
from nepscript_keras.errors import ConfigError

STRATEGIES = ("random", "progressive", "adaptive", "multi_fidelity", "adversarial")
CONFIG_FILE = "compare_config.json"
FINISHED_FILE = "finished.json"
OUTPUT_FILES = ("comparison.md", "comparison.csv", "comparison.json", "search_curves.png", "fid_vs_params.png", "samples.png")
QUALITY = ("fid", "inception_score", "kid", "precision", "recall", "recognisable_rate", "class_entropy")
COST = ("trials", "epochs", "seconds")
CSV_COLUMNS = (
    "strategy", "architecture", "seeds", "generator_params", "search_fid",
    *(f"{name}{suffix}" for name in (*QUALITY, *COST) for suffix in ("", "_std")),
)
TABLE = (  # (column title, key, better: "min"/"max"/None, digits)
    ("FID", "fid", "min", 2), ("IS", "inception_score", "max", 3), ("precision", "precision", "max", 3),
    ("recall", "recall", "max", 3), ("script quality", "recognisable_rate", "max", 3),
    ("class entropy", "class_entropy", "max", 3), ("trials run", "trials", None, 0),
    ("training epochs", "epochs", None, 0), ("seconds", "seconds", "min", 0),
)


@dataclasses.dataclass
class ComparisonResult:
    """What a comparison found.

    Attributes:
        output_dir: Where the outputs were written.
        budget: The `Budget` every strategy ran under.
        epoch_budget: Training epochs each strategy's search could spend.
        seeds: Number of seeds per strategy.
        rows: One dict per strategy (the rows of `comparison.csv`: means, `*_std` over seeds).
        runs: One `finished.json` record per (strategy, seed).
        which_strategy_when: The paragraph computed from the results.
        seconds: Wall time of this call.
    """

    output_dir: str
    budget: budgets.Budget
    epoch_budget: int
    seeds: int
    rows: list[dict[str, Any]]
    runs: list[dict[str, Any]]
    which_strategy_when: str
    seconds: float

    @property
    def table_path(self) -> str:
        """Path of `comparison.md`."""
        return os.path.join(self.output_dir, "comparison.md")


@dataclasses.dataclass(frozen=True)
class Setup:
    """What every (strategy, seed) run of one comparison shares."""

    budget: budgets.Budget
    data: DigitData
    output_dir: str
    space: str
    epoch_budget: int
    verbose: int
    plans: dict[str, dict[str, int]]
    config: dict[str, Any]

    def say(self, message: str) -> None:
        """Prints a progress line when verbose."""
        if self.verbose:
            print(message, flush=True)

    def run_dir(self, name: str, seed: int) -> str:
        """The folder of one (strategy, seed) run."""
        return os.path.join(self.output_dir, "runs", name, f"seed_{seed}")

    def log_dir(self, kind: str, name: str, seed: int) -> str:
        """A TensorBoard folder under `<output_dir>/tensorboard/<kind>/`."""
        return os.path.join(self.output_dir, "tensorboard", kind, f"{name}_seed{seed}")


def compare(
    tuners: "str | Sequence[str]" = "all",
    budget: "str | budgets.Budget" = "quick",
    seeds: int | None = None,
    data: "DigitData | str | os.PathLike | None" = None,
    dataset: str | None = None,
    output_dir: str | os.PathLike = "runs/compare",
    space: str = "paper",
    verbose: int = 1,
    *,
    epoch_budget: int | None = None,
    overwrite: bool = False,
) -> ComparisonResult:
    """Runs (or resumes) every chosen strategy under one epoch budget and writes the comparison.

    Args:
        tuners: `"all"`, a comma-separated string or a list of strategy names.
        budget: Budget preset (`smoke`, `quick`, `standard`, `paper`) or a `Budget` (its `epochs`,
            `per_class`, `width`, `eval_samples`, `final_epochs` and `final_eval_samples` apply to all).
        seeds: Seeds per strategy (default 1 on `smoke`/`quick`, 3 otherwise).
        data: Real digits (`DigitData`) or a path for `load_digits`.
        dataset: Named dataset (`dhcd`, `synthetic`) when `data` is None.
        output_dir: Output directory; running again continues an interrupted comparison.
        space: Search space preset (`paper` or `joint`).
        verbose: 1 prints progress lines (and each search's trial lines); 0 is silent.
        epoch_budget: Training epochs each search may spend (default `max_trials * epochs`).
        overwrite: Delete the results in `output_dir` and start afresh.

    Returns:
        A `ComparisonResult`.

    Raises:
        ConfigError: for an unknown strategy, budget or space, a non-positive seed count or epoch
            budget, or an `output_dir` holding a comparison with other settings.
    """
    start = time.perf_counter()
    names = resolve_tuners(tuners)
    budget = budgets.get_budget(budget)
    seeds = default_seeds(budget) if seeds is None else seeds
    epoch_budget = epoch_budget or budget.max_trials * budget.epochs
    _check_counts(seeds=seeds, epoch_budget=epoch_budget)
    plans = {name: search_plan(name, budget, epoch_budget) for name in names}
    search_space.SearchSpace.preset(space)
    data = _load(data, dataset)
    output_dir, config = _prepare(output_dir, budget, space, epoch_budget, data, overwrite)
    setup = Setup(budget, data, output_dir, space, epoch_budget, verbose, plans, config)
    setup.say(f"compare {', '.join(names)}: {budget.name} budget, {epoch_budget} training epochs per search, "
              f"{seeds} seed(s); data {data.source} ({len(data)} images); output {output_dir}")
    _warm_evaluator(data)
    runs = [run_strategy(name, seed, setup) for name in names for seed in range(seeds)]
    return _write_comparison(setup, seeds, runs, start)


def resolve_tuners(tuners: "str | Sequence[str]") -> list[str]:
    """Returns the strategy names of `"all"`, `"a,b"` or `["a", "b"]` (ConfigError for unknown ones)."""
    names = list(STRATEGIES) if tuners == "all" else tuners.split(",") if isinstance(tuners, str) else list(tuners)
    names = [name.strip() for name in names if name.strip()]
    unknown = [name for name in names if name not in STRATEGIES]
    if unknown or not names:
        raise ConfigError(f"unknown tuner(s) {unknown or names}; choose 'all' or some of {','.join(STRATEGIES)}")
    return list(dict.fromkeys(names))


def default_seeds(budget: budgets.Budget) -> int:
    """Seeds per strategy: 1 on the `smoke` and `quick` budgets, 3 on longer ones."""
    return 1 if budget.name in ("smoke", "quick") else 3


def search_plan(tuner: str, budget: budgets.Budget, epoch_budget: int) -> dict[str, int]:
    """Returns the `run_search` arguments that keep a strategy's search within `epoch_budget` epochs.

    Args:
        tuner: Strategy name.
        budget: The budget (its `epochs` per trial, Hyperband settings).
        epoch_budget: Training epochs the search may spend (supernet epochs included).

    Returns:
        `{"max_trials": n}`, plus `"supernet_epochs"` for the adversarial strategy.

    Raises:
        ConfigError: when the epoch budget is smaller than one trial.
    """
    if epoch_budget < budget.epochs:
        raise ConfigError(f"epoch budget {epoch_budget} is less than one trial ({budget.epochs} epochs); raise --epoch-budget")
    if tuner == "multi_fidelity":
        spent = itertools.accumulate(hyperband_trial_epochs(budget))
        return {"max_trials": max(1, sum(1 for total in spent if total <= epoch_budget))}
    if tuner == "adversarial":
        from nepscript_keras.tuners.adversarial import SUPERNET_EPOCHS_PER_TRIAL_EPOCH

        supernet = max(1, min(budget.epochs * SUPERNET_EPOCHS_PER_TRIAL_EPOCH, epoch_budget // 2))
        return {"max_trials": max(1, (epoch_budget - supernet) // budget.epochs), "supernet_epochs": supernet}
    return {"max_trials": epoch_budget // budget.epochs}


def hyperband_trial_epochs(budget: budgets.Budget) -> list[int]:
    """Epochs each Hyperband trial trains, in the order a sequential search runs them."""
    import keras_tuner

    oracle = keras_tuner.oracles.HyperbandOracle(
        objective=keras_tuner.Objective("fid", "min"), max_epochs=budget.hyperband_max_epochs,
        factor=budget.hyperband_factor, hyperband_iterations=1,
    )
    costs = []
    for bracket in reversed(range(oracle._get_num_brackets())):  # pylint: disable=protected-access
        for round_num in range(bracket + 1):
            done = oracle._get_epochs(bracket, round_num - 1) if round_num else 0  # pylint: disable=protected-access
            cost = oracle._get_epochs(bracket, round_num) - done  # pylint: disable=protected-access
            costs += [cost] * oracle._get_size(bracket, round_num)  # pylint: disable=protected-access
    return costs


def run_strategy(name: str, seed: int, setup: Setup) -> dict[str, Any]:
    """Searches, trains the best architecture and evaluates it for one (strategy, seed), unless finished.

    Returns:
        The `finished.json` record: architecture, search curve and trial points, cost, final metrics.
    """
    budget = setup.budget
    record_path = os.path.join(setup.run_dir(name, seed), FINISHED_FILE)
    if os.path.exists(record_path):
        setup.say(f"{name} seed {seed}: finished earlier, not rerun")
        with open(record_path, encoding="utf-8") as f:
            return json.load(f)
    setup.say(f"{name} seed {seed}: search")
    search = _search(name, seed, setup)
    setup.say(f"{name} seed {seed}: final training ({budget.final_epochs} epochs) and evaluation "
              f"({budget.final_eval_samples} samples)")
    record = _record(name, seed, search, _final(name, seed, search.best_hparams, setup))
    io_utils.write_json(record_path, record)
    setup.say(f"{name} seed {seed}: final fid {record['fid']:.2f} (best search fid {record['search_fid']:.2f}, "
              f"{record['epochs']} search epochs, {record['seconds']:.0f} s)")
    return record


def _search(name: str, seed: int, setup: Setup):
    from nepscript_keras.search import run_search

    return run_search(
        name, budget=setup.budget, data=setup.data, space=setup.space, seed=seed,
        output_dir=os.path.join(setup.run_dir(name, seed), "search"), tensorboard_dir=setup.log_dir("search", name, seed),
        verbose=setup.verbose, **setup.plans[name],
    )


def _final(name: str, seed: int, hparams: dict[str, Any], setup: Setup) -> dict[str, Any]:
    """Trains the architecture for `final_epochs` (resumable) and evaluates it; returns metrics and cost."""
    from nepscript_keras.evaluation import evaluate
    from nepscript_keras.models import load_generator
    from nepscript_keras.training import train

    start, budget, data = time.perf_counter(), setup.budget, setup.data
    train_data = data if budget.per_class is None else data.subset(budget.per_class, seed=seed)
    summary = train(
        hparams, train_data, epochs=budget.final_epochs, output_dir=os.path.join(setup.run_dir(name, seed), "final"),
        width=budget.width, batch_size=budget.batch_size, seed=seed, resume=True, print_fn=lambda _: None,
        log_dir=setup.log_dir("final", name, seed),
    )
    scores = evaluate(load_generator(summary["generator"]), data, num_samples=budget.final_eval_samples, seed=seed)
    return {**{k: float(scores[k]) for k in QUALITY}, "seconds": time.perf_counter() - start}


def _record(name: str, seed: int, search, final: dict[str, Any]) -> dict[str, Any]:
    supernet = {"epochs": 0, "seconds": 0.0, **search.overhead}  # The adversarial supernet's cost, else none.
    completed = [r for r in search.trials if r["status"] == "COMPLETED"]
    offset = int(supernet["epochs"])
    return {
        "strategy": name,
        "seed": seed,
        "hparams": search.best_hparams,
        "generator_params": int(search.best_metrics["generator_params"]),
        "search_fid": float(search.best_metrics["fid"]),
        "trials": len(search.trials),
        "epochs": search.epochs_trained + offset,
        "supernet_epochs": offset,
        "seconds": sum(float(r["seconds"]) for r in completed) + float(supernet["seconds"]) + final["seconds"],
        "curve": [[int(r["cumulative_epochs"]) + offset, float(r["best_fid_so_far"])] for r in completed],
        "trial_points": [[int(r["generator_params"]), float(r["fid"])] for r in completed],
        "samples": os.path.join("runs", name, f"seed_{seed}", "final", "samples.png"),
        **{k: final[k] for k in QUALITY},
    }


def summarise(runs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Returns one row per strategy (first-seen order): means and `*_std` over its seeds.

    Args:
        runs: `finished.json` records (`strategy`, `hparams`, metric and cost keys).

    Returns:
        Dicts with the `CSV_COLUMNS` keys.
    """
    rows = []
    for name in dict.fromkeys(run["strategy"] for run in runs):
        mine = [run for run in runs if run["strategy"] == name]
        row = {"strategy": name, "architecture": _architecture(mine), "seeds": len(mine),
               "generator_params": _mean(r["generator_params"] for r in mine),
               "search_fid": _mean(r["search_fid"] for r in mine)}
        for key in (*QUALITY, *COST):
            values = [float(run[key]) for run in mine]
            row[key], row[f"{key}_std"] = _mean(values), statistics.pstdev(values) if len(values) > 1 else 0.0
        rows.append(row)
    return rows


def pareto_front(points: Sequence[tuple[float, float]]) -> list[int]:
    """Returns the indices of the points no other point beats on both coordinates (both minimised).

    Args:
        points: `(cost, error)` pairs, e.g. `(generator parameters, FID)`.

    Returns:
        Indices of the non-dominated points, sorted by cost (ties: the lower error only).

    Example:

    >>> pareto_front([(1, 5), (2, 3), (3, 4), (4, 1)])
    [0, 1, 3]
    """
    front, best = [], float("inf")
    for i in sorted(range(len(points)), key=lambda i: (points[i][0], points[i][1])):
        if points[i][1] < best:
            front.append(i)
            best = points[i][1]
    return front


def epochs_to_reach(curve: Sequence[Sequence[float]], threshold: float) -> int | None:
    """Returns the training epochs a search curve (`[epochs, best_fid_so_far]` points) spent to reach
    `threshold` (best FID at or below it), or None if it never did."""
    return next((int(epochs) for epochs, fid in curve if fid <= threshold), None)


def which_strategy_when(rows: Sequence[dict[str, Any]], runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Computes the winners: final FID, diversity (recall, then class entropy), compute to a search FID.

    The FID threshold is the median of the runs' best search FIDs, so at least half the runs reach it;
    a strategy's compute is the mean over its seeds that reached it of the epochs they spent.

    Args:
        rows: `summarise` output (`strategy`, `fid`, `fid_std`, `recall`, `class_entropy`).
        runs: `finished.json` records (`strategy`, `curve`, `search_fid`).

    Returns:
        `{"fid": name, "diversity": name, "compute": name, "threshold": float, "epochs_to_threshold":
        {name: mean epochs or None}, "text": the paragraph}`.
    """
    threshold = statistics.median(run["search_fid"] for run in runs)
    reach = {}
    for row in rows:
        spent = [epochs_to_reach(run["curve"], threshold) for run in runs if run["strategy"] == row["strategy"]]
        reached = [e for e in spent if e is not None]
        reach[row["strategy"]] = _mean(reached) if reached else None
    by_fid = sorted(rows, key=lambda r: r["fid"])
    diverse = max(rows, key=lambda r: (r["recall"], r["class_entropy"]))
    fastest = [r["strategy"] for r in sorted(by_fid, key=lambda r: reach[r["strategy"]] or math.inf)]  # ties: lower FID
    winners = {"fid": by_fid[0]["strategy"], "diversity": diverse["strategy"], "compute": fastest[0],
               "threshold": threshold, "epochs_to_threshold": reach}
    return {**winners, "text": _when_text(by_fid, diverse, fastest, reach, threshold, len(runs) // len(rows))}


def _when_text(by_fid, diverse, fastest, reach, threshold, seeds) -> str:
    best = by_fid[0]
    runner_up = f"; next: {by_fid[1]['strategy']}, {by_fid[1]['fid']:.2f}" if len(by_fid) > 1 else ""
    entropy_best = max(by_fid, key=lambda r: r["class_entropy"])
    entropy_note = f"; highest class entropy: {entropy_best['strategy']}" if entropy_best["class_entropy"] > diverse["class_entropy"] else ""
    others = [f"{name} {reach[name]:.0f}" for name in fastest[1:] if reach[name] is not None]
    never = [name for name in fastest if reach[name] is None]
    details = [", ".join(others)] * bool(others) + [f"never: {', '.join(never)}"] * bool(never)
    lines = [
        f"For the best final generator use **{best['strategy']}** (FID {best['fid']:.2f}{runner_up}).",
        f"For diversity use **{diverse['strategy']}** (recall {diverse['recall']:.3f}, class entropy "
        f"{diverse['class_entropy']:.3f}{entropy_note}).",
        f"On a tight compute budget use **{fastest[0]}**: it reached a search FID of {threshold:.2f} (the median of "
        f"the runs' best search FIDs) after {reach[fastest[0]]:.0f} training epochs"
        + (f" ({'; '.join(details)})." if details else "."),
    ]
    if seeds == 1:
        lines.append("One seed per strategy: treat gaps smaller than a few FID points as noise.")
    elif len(by_fid) > 1 and by_fid[1]["fid"] - best["fid"] < best["fid_std"] + by_fid[1]["fid_std"]:
        lines.append(f"The FID gap between {best['strategy']} and {by_fid[1]['strategy']} is within one standard deviation over seeds.")
    return " ".join(lines)


def comparison_markdown(rows, budget: budgets.Budget, epoch_budget: int, when: dict[str, Any], data_source: str) -> str:
    """Returns the `comparison.md` text: protocol, table (best per column in bold), which strategy when."""
    seeds = rows[0]["seeds"]
    head = [title for title, *_ in TABLE]
    lines = [
        f"# NAS strategy comparison ({budget.name} budget, {seeds} seed{'s' if seeds > 1 else ''})",
        "",
        f"- Data: {data_source}",
        f"- Compute: every search could spend **{epoch_budget} training epochs** ({budget.epochs} per trial, "
        f"{budget.per_class or 'all'} images per digit, width {budget.width}); multi-fidelity stops before the Hyperband "
        "trial that would exceed it; the adversarial supernet's epochs count as spent (its supernet gets at most "
        "half, its top architectures the rest). Search curves plot best FID against epochs actually spent.",
        f"- Final models: each strategy's best architecture trains {budget.final_epochs} epochs on the same images "
        f"and is evaluated on {budget.final_eval_samples} samples against all the real digits (domain-classifier "
        "features, same evaluation seed as the search); the metrics below are those of the final models.",
        "- Training epochs: search epochs spent (supernet included); seconds: trial, supernet and final-training "
        "compute time (interruptions excluded)." + (" Values: mean ± std over seeds." if seeds > 1 else ""),
        "",
        "| strategy | best architecture | " + " | ".join(head) + " |",
        "|---|---|" + "---|" * len(head),
        *(_table_line(row, rows) for row in rows),
        "",
        "Best value per column in **bold**.",
        "",
        "## Which strategy when",
        "",
        when["text"],
        "",
        "![search curves](search_curves.png)",
        "",
        "![FID against generator parameters](fid_vs_params.png)",
        "",
        "![samples](samples.png)",
    ]
    return "\n".join(lines) + "\n"


def _table_line(row, rows) -> str:
    cells = []
    for _, key, better, digits in TABLE:
        text = f"{row[key]:.{digits}f}" + (f" ± {row[key + '_std']:.{digits}f}" if row["seeds"] > 1 else "")
        values = [r[key] for r in rows]
        if better and len(set(values)) > 1 and row[key] == (min(values) if better == "min" else max(values)):
            text = f"**{text}**"
        cells.append(text)
    return f"| {row['strategy']} | {row['architecture']} | " + " | ".join(cells) + " |"


def _write_comparison(setup: Setup, seeds: int, runs: list[dict[str, Any]], start: float) -> ComparisonResult:
    from nepscript_keras import plots

    out, rows = setup.output_dir, summarise(runs)
    when, config = which_strategy_when(rows, runs), setup.config
    io_utils.write_csv(os.path.join(out, "comparison.csv"), rows, CSV_COLUMNS)
    io_utils.write_text(os.path.join(out, "comparison.md"),
                        comparison_markdown(rows, setup.budget, setup.epoch_budget, when, config["data_source"]))
    io_utils.write_json(os.path.join(out, "comparison.json"),
                        {"config": config, "rows": rows, "runs": runs, "which_strategy_when": when})
    plots.plot_search_curves(_by_strategy(runs, "curve"), os.path.join(out, "search_curves.png"), setup.epoch_budget)
    plots.plot_pareto(_by_strategy(runs, "trial_points"), os.path.join(out, "fid_vs_params.png"))
    samples = {run["strategy"]: os.path.join(out, run["samples"]) for run in runs if run["seed"] == 0}
    plots.plot_sample_grids(samples, os.path.join(out, "samples.png"))
    plots.write_tensorboard(runs, os.path.join(out, "tensorboard", "curves"), out)
    setup.say(f"wrote {out}/comparison.md (tensorboard --logdir {out}/tensorboard)")
    return ComparisonResult(out, setup.budget, setup.epoch_budget, seeds, rows, list(runs), when["text"],
                            time.perf_counter() - start)


def _by_strategy(runs, key: str) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for run in runs:
        grouped.setdefault(run["strategy"], []).append(run[key])
    return grouped


def _architecture(runs) -> str:
    """The most frequent best architecture over seeds, compact (`z128 batch relu drop0.2 res`)."""
    texts = [_arch_text(run["hparams"]) for run in runs]
    common = max(dict.fromkeys(texts), key=texts.count)
    return common if len(runs) == 1 else f"{common} ({texts.count(common)}/{len(runs)} seeds)"


def _arch_text(hp: dict[str, Any]) -> str:
    text = f"z{hp['latent_dim']} {hp['norm_type']} {hp['activation']} drop{hp['dropout_rate']}"
    text += " res" if hp["use_residual"] else ""
    defaults = search_space.SearchSpace.preset("paper").fixed
    d_changed = {k: v for k, v in hp.items() if k.startswith("d_") and defaults.get(k) != v}
    return text + ("; D " + " ".join(f"{k[2:]}={v}" for k, v in d_changed.items()) if d_changed else "")


def _mean(values) -> float:
    values = [float(v) for v in values]
    return sum(values) / len(values)


def _check_counts(**values) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{name.replace('_', '-')} must be a positive integer, got {value!r}")


def _warm_evaluator(data: DigitData) -> None:
    """Trains (or loads) the digit classifier and reference statistics once, so no strategy's seconds include them."""
    from nepscript_keras.evaluation import evaluate

    evaluate(data.images[:100], data, num_samples=100)


def _load(data, dataset) -> DigitData:
    from nepscript_keras.data import load_digits

    return data if isinstance(data, DigitData) else load_digits(data=data, dataset=dataset)


def _remove_comparison(output_dir: str) -> None:
    """Deletes what a comparison wrote in `output_dir` (and nothing else there)."""
    for name in ("runs", "tensorboard"):
        shutil.rmtree(os.path.join(output_dir, name), ignore_errors=True)
    for name in (CONFIG_FILE, *OUTPUT_FILES):
        if os.path.exists(os.path.join(output_dir, name)):
            os.remove(os.path.join(output_dir, name))


def _prepare(output_dir, budget, space, epoch_budget, data, overwrite) -> tuple[str, dict[str, Any]]:
    """Creates `output_dir` (emptied with `overwrite`), checks a comparison found there is this one and
    returns `(output_dir, config)`, the config as written to `compare_config.json`."""
    output_dir = os.fspath(output_dir)
    if overwrite:
        _remove_comparison(output_dir)
    output_dir = io_utils.ensure_dir(output_dir)
    config = {"budget": dataclasses.asdict(budget), "space": space, "epoch_budget": epoch_budget,
              "data_fingerprint": data.fingerprint(),
              "data_source": f"{data.source} [{data.split}], {len(data)} images, fingerprint {data.fingerprint()}"}
    path = os.path.join(output_dir, CONFIG_FILE)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            previous = json.load(f)
        changed = [k for k in ("budget", "space", "epoch_budget", "data_fingerprint") if previous.get(k) != config[k]]
        if changed:
            raise ConfigError(f"{output_dir} holds a comparison with other settings ({', '.join(changed)} differ); "
                              "pass --overwrite or another --output-dir")
    io_utils.write_json(path, config)
    return output_dir, config
