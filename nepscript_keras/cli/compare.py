"""`nepscript-keras compare`: every NAS strategy under one compute budget, with table and plots."""

import argparse

from nepscript_keras.cli._common import add_data_args, positive_int


def register(subparsers) -> None:
    """Adds the `compare` subcommand."""
    p = subparsers.add_parser(
        "compare",
        help="compare NAS strategies under the same compute budget",
        description="Run each chosen strategy's search with the same training-epoch budget, data and evaluation, "
        "train each best architecture for the budget's final epochs, evaluate it, and write comparison.md/.csv/.json, "
        "search_curves.png, fid_vs_params.png, samples.png and TensorBoard curves. Running again resumes: "
        "finished strategies are not rerun.",
    )
    p.add_argument("--tuners", default="all", metavar="LIST",
                   help="all (default) or a comma-separated list of random, progressive, adaptive, multi_fidelity, adversarial")
    p.add_argument("--budget", default="quick", metavar="NAME", help="smoke, quick (default), standard or paper")
    p.add_argument("--seeds", type=positive_int, metavar="N", help="seeds per strategy (default: 1 on smoke/quick, 3 otherwise)")
    p.add_argument("--epoch-budget", type=positive_int, metavar="E",
                   help="training epochs each search may spend (default: the budget's trials x epochs per trial)")
    add_data_args(p)
    p.add_argument("--output-dir", default="runs/compare", metavar="DIR", help="output directory (default: runs/compare)")
    p.add_argument("--space", default="paper", metavar="NAME", help="paper (generator searched; default) or joint")
    p.add_argument("--overwrite", action="store_true", help="delete the results in --output-dir and start afresh")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Runs the comparison and prints the table's location and the which-strategy-when paragraph."""
    from nepscript_keras.comparison import compare

    result = compare(
        tuners=args.tuners, budget=args.budget, seeds=args.seeds, data=args.data, dataset=args.dataset,
        output_dir=args.output_dir, space=args.space, epoch_budget=args.epoch_budget, overwrite=args.overwrite,
    )
    print(result.which_strategy_when)
    print(f"table: {result.table_path}")
    return 0
