"""`compare`: a real smoke comparison of all five strategies (width 8, 100 images, 2-epoch budget), resumed
from a two-strategy run, plus the pure helpers (Pareto front, which strategy when, search plans) on
hand-made inputs."""

import csv
import math
import os

import numpy as np
import pytest
from PIL import Image

from nepscript_keras import budgets
from nepscript_keras.cli import main
from nepscript_keras.comparison import (
    CSV_COLUMNS, STRATEGIES, compare, epochs_to_reach, hyperband_trial_epochs, pareto_front, resolve_tuners,
    search_plan, which_strategy_when,
)
from nepscript_keras.errors import ConfigError

BUDGET = budgets.get_budget("smoke", max_trials=2)  # 2 training epochs per search
FIRST = ["random", "adversarial"]


def finished_times(out):
    return {name: os.path.getmtime(os.path.join(out, "runs", name, "seed_0", "finished.json")) for name in FIRST}


@pytest.fixture(scope="module")
def comparison(dhcd, tmp_path_factory):
    """Two strategies first, then all five in the same folder (the first two resume from their records)."""
    data = dhcd.subset(10, seed=0)
    out = str(tmp_path_factory.mktemp("compare"))
    first = compare(FIRST, budget=BUDGET, data=data, output_dir=out, verbose=0)
    times = finished_times(out)
    full = compare("all", budget=BUDGET, data=data, output_dir=out, verbose=0)
    return {"first": first, "full": full, "times": times, "out": out, "data": data}


def test_interrupted_comparison_resumes_without_rerunning_finished_strategies(comparison):
    first, full = comparison["first"], comparison["full"]
    assert [row["strategy"] for row in first.rows] == FIRST
    assert finished_times(comparison["out"]) == comparison["times"]
    assert [run for run in full.runs if run["strategy"] in FIRST] == first.runs


def test_table_has_one_row_per_strategy_with_best_marked(comparison):
    with open(comparison["full"].table_path, encoding="utf-8") as f:
        text = f.read()
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| strategy")]
    assert [row.split("|")[1].strip() for row in rows] == list(STRATEGIES)
    assert "**" in "".join(rows)
    assert "2 training epochs" in text and "## Which strategy when" in text


def test_csv_has_expected_columns_numeric_values_and_equal_compute(comparison):
    with open(os.path.join(comparison["out"], "comparison.csv"), encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    assert tuple(reader.fieldnames) == CSV_COLUMNS
    assert [row["strategy"] for row in rows] == list(STRATEGIES)
    for row in rows:
        for column in CSV_COLUMNS[2:]:
            assert math.isfinite(float(row[column])), (row["strategy"], column)
        assert 0 < float(row["epochs"]) <= 2, row["strategy"]  # nobody spent more than the epoch budget
        assert float(row["fid"]) > 0 and 0 <= float(row["recall"]) <= 1


def test_adversarial_supernet_epochs_count_as_compute(comparison):
    run = next(r for r in comparison["full"].runs if r["strategy"] == "adversarial")
    assert run["supernet_epochs"] >= 1
    assert run["curve"][0][0] == run["supernet_epochs"] + 1  # first trial's point comes after the supernet
    assert run["epochs"] == run["supernet_epochs"] + run["trials"]


@pytest.mark.parametrize("name", ["search_curves.png", "fid_vs_params.png", "samples.png"])
def test_plots_are_valid_pngs(comparison, name):
    path = os.path.join(comparison["out"], name)
    with Image.open(path) as image:
        assert image.format == "PNG" and min(image.size) >= 100
        pixels = np.asarray(image.convert("L"))
    assert pixels.min() < pixels.max()  # not blank


def test_curves_go_to_tensorboard(comparison):
    root = os.path.join(comparison["out"], "tensorboard", "curves")
    assert sorted(os.listdir(root)) == sorted(f"{name}_seed0" for name in STRATEGIES)
    assert all(any(f.startswith("events.out") for f in os.listdir(os.path.join(root, d))) for d in os.listdir(root))


def test_other_settings_in_the_same_folder_are_refused(comparison):
    with pytest.raises(ConfigError, match="other settings"):
        compare(FIRST, budget=BUDGET, data=comparison["data"], output_dir=comparison["out"], verbose=0, epoch_budget=3)


def test_pareto_front_keeps_non_dominated_points():
    points = [(10, 5.0), (20, 3.0), (30, 4.0), (40, 1.0), (20, 2.5), (5, 9.0), (10, 5.0)]
    assert pareto_front(points) == [5, 0, 4, 3]
    assert pareto_front([]) == []
    assert pareto_front([(1, 1.0)]) == [0]


def test_epochs_to_reach_reads_the_search_curve():
    curve = [[2, 90.0], [4, 70.0], [6, 50.0]]
    assert epochs_to_reach(curve, 70.0) == 4
    assert epochs_to_reach(curve, 10.0) is None


def test_which_strategy_when_picks_winners_from_results():
    rows = [
        {"strategy": "a", "fid": 30.0, "fid_std": 0.0, "recall": 0.2, "class_entropy": 2.0},
        {"strategy": "b", "fid": 40.0, "fid_std": 0.0, "recall": 0.5, "class_entropy": 1.0},
        {"strategy": "c", "fid": 50.0, "fid_std": 0.0, "recall": 0.5, "class_entropy": 2.2},
    ]
    runs = [
        {"strategy": "a", "search_fid": 60.0, "curve": [[2, 80.0], [8, 60.0]]},
        {"strategy": "b", "search_fid": 70.0, "curve": [[3, 70.0]]},
        {"strategy": "c", "search_fid": 75.0, "curve": [[5, 75.0]]},
    ]
    when = which_strategy_when(rows, runs)
    assert (when["fid"], when["diversity"], when["compute"]) == ("a", "c", "b")
    assert when["threshold"] == 70.0
    assert when["epochs_to_threshold"] == {"a": 8.0, "b": 3.0, "c": None}
    assert "**a**" in when["text"] and "never: c" in when["text"]


@pytest.mark.parametrize("preset", ["smoke", "quick", "standard"])
def test_search_plans_stay_within_the_epoch_budget(preset):
    budget = budgets.get_budget(preset)
    epoch_budget = budget.max_trials * budget.epochs
    for name in STRATEGIES:
        plan = search_plan(name, budget, epoch_budget)
        if name == "multi_fidelity":  # Hyperband's own plan, cut before the trial that would exceed the budget
            costs, n = hyperband_trial_epochs(budget), plan["max_trials"]
            assert sum(costs[:n]) <= epoch_budget and (n == len(costs) or sum(costs[: n + 1]) > epoch_budget)
        else:
            spent = plan.get("supernet_epochs", 0) + plan["max_trials"] * budget.epochs
            assert epoch_budget - budget.epochs < spent <= epoch_budget, name


def test_bad_tuner_names_and_counts_are_one_line_errors(capsys):
    assert resolve_tuners("random, adaptive") == ["random", "adaptive"]
    with pytest.raises(ConfigError, match="unknown tuner"):
        resolve_tuners(["random", "genetic"])
    with pytest.raises(ConfigError, match="seeds must be a positive integer"):
        compare("random", budget="smoke", seeds=0)
    with pytest.raises(ConfigError, match="less than one trial"):
        compare("random", budget=budgets.get_budget("smoke", epochs=2), epoch_budget=1)
    assert main(["compare", "--tuners", "random,genetic", "--budget", "smoke"]) == 2
    assert capsys.readouterr().err.strip().count("\n") == 0
    with pytest.raises(SystemExit):
        main(["compare", "--seeds", "0"])


def test_package_compare_is_the_function_after_the_module_is_imported():
    import nepscript_keras
    import nepscript_keras.comparison

    assert nepscript_keras.compare is nepscript_keras.comparison.compare
