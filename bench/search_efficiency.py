"""Search efficiency: best FID reached against training epochs spent, per strategy, and what
multi-fidelity (Hyperband) saved.

Runs (or resumes, or just reads) `nepscript_keras.comparison.compare` for every strategy under one epoch
budget, then prints from its `finished.json` records and the multi-fidelity search's `trials.csv`:

- each strategy's search curve (best FID so far at each cumulative training-epoch count, supernet
  epochs included), its best search FID and the epochs it first reached it;
- the epochs each strategy needed to reach the random-search baseline's best FID (the baseline run in
  the same comparison);
- for multi-fidelity: candidates tried, epochs spent, epochs training each of them to full fidelity
  would have cost, and the difference.

Pointing `--output-dir` at a finished comparison (one holding `comparison.json`, whatever its budget)
reads it and reruns nothing; an interrupted one is resumed.

Usage:

    python bench/search_efficiency.py                       # quick budget (long: a full comparison)
    python bench/search_efficiency.py --budget smoke        # a fast check
    python bench/search_efficiency.py --output-dir runs/compare   # read a finished comparison
"""

import argparse
import csv
import json
import os
import time

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "dhcd_digits_train.npz")


def load_comparison(args) -> tuple[dict, list[dict]]:
    """Returns `(config, runs)` of the comparison in `--output-dir`, running (or resuming) it unless finished."""
    path = os.path.join(args.output_dir, "comparison.json")
    if not os.path.exists(path):
        from nepscript_keras.comparison import compare

        compare("all", budget=args.budget, seeds=1, data=args.data, output_dir=args.output_dir,
                epoch_budget=args.epoch_budget, verbose=0)
    with open(path, encoding="utf-8") as f:
        comparison = json.load(f)
    return comparison["config"], comparison["runs"]


def multi_fidelity_savings(output_dir: str, full_epochs: int) -> dict[str, int] | None:
    """Returns candidates, epochs spent and full-fidelity epochs of the multi-fidelity search, or None."""
    path = os.path.join(output_dir, "runs", "multi_fidelity", "seed_0", "search", "trials.csv")
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        completed = [row for row in csv.DictReader(f) if row["status"] == "COMPLETED"]
    candidates = sum(1 for row in completed if not row["parent"])
    spent = sum(int(float(row["epochs_trained"])) for row in completed)
    return {"candidates": candidates, "spent": spent, "full": candidates * full_epochs}


def print_curves(runs) -> None:
    from nepscript_keras.comparison import epochs_to_reach

    baseline = next((run for run in runs if run["strategy"] == "random"), None)
    target = baseline["search_fid"] if baseline else None
    print(f"{'strategy':>15} {'trials':>6} {'epochs':>6} {'best FID':>9} {'reached at':>10} "
          f"{'epochs to random best':>22}  curve (epochs: best FID)")
    for run in runs:
        curve = run["curve"]
        first = epochs_to_reach(curve, run["search_fid"])
        to_target = "" if target is None else epochs_to_reach(curve, target)
        points = " ".join(f"{int(e)}:{fid:.1f}" for e, fid in curve)
        print(f"{run['strategy']:>15} {run['trials']:>6} {run['epochs']:>6} {run['search_fid']:>9.2f} {first:>10} "
              f"{'not reached' if to_target is None else to_target:>22}  {points}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--budget", default="quick", help="smoke, quick (default), standard or paper")
    parser.add_argument("--output-dir", default="runs/bench_search_efficiency", help="comparison folder (resumed)")
    parser.add_argument("--epoch-budget", type=int, help="training epochs per search (default: compare's)")
    args = parser.parse_args()

    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    start = time.perf_counter()
    config, runs = load_comparison(args)
    budget, full_epochs = config["budget"], config["budget"]["hyperband_max_epochs"]
    print(f"{budget['name']} budget, {config['epoch_budget']} training epochs per search; "
          f"{time.perf_counter() - start:.0f} s in this call (comparison folder {args.output_dir})")
    print_curves([run for run in runs if run["seed"] == 0])
    saved = multi_fidelity_savings(args.output_dir, full_epochs)
    if saved:
        cut = saved["full"] - saved["spent"]
        print(f"multi-fidelity: {saved['candidates']} candidates in {saved['spent']} epochs; full fidelity "
              f"({full_epochs} epochs each) would cost {saved['full']}: saved {cut} epochs "
              f"({cut / max(saved['full'], 1):.0%})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
