"""`nepscript-keras pipeline`: search, train, evaluate and push as one cached, resumable pipeline."""

import argparse

from nepscript_keras.cli._common import add_data_args, positive_int
from nepscript_keras.cli.tune import TUNER_NAMES


def register(subparsers) -> None:
    """Adds the `pipeline` subcommand."""
    p = subparsers.add_parser(
        "pipeline",
        help="run ExampleGen -> Tuner -> Trainer -> Evaluator -> Pusher with caching and resume",
        description="Run the search-to-deployment pipeline: load the data, search architectures, train the best "
        "for the budget's final epochs, evaluate it (the budget's final sample count) and push it to the serving "
        "folder if blessed. Unchanged components are cache hits; after a failure, the same command resumes.",
    )
    p.add_argument("--tuner", default="random", choices=TUNER_NAMES, help="search strategy (default: random)")
    p.add_argument("--budget", default="quick", choices=("smoke", "quick", "standard", "paper"),
                   help="compute budget (default: quick)")
    p.add_argument("--space", default="paper", choices=("paper", "joint"), help="search space (default: paper)")
    p.add_argument("--max-trials", type=positive_int, metavar="N", help="search trials (default: the budget's)")
    add_data_args(p)
    p.add_argument("--pipeline-root", default="pipeline", metavar="DIR",
                   help="artifacts, run records and (by default) the serving folder (default: pipeline)")
    p.add_argument("--serving-dir", metavar="DIR", help="where blessed generators are pushed (default: ROOT/serving)")
    p.add_argument("--seed", type=int, default=0, help="seed of every component (default: 0)")
    p.add_argument("--eval-fraction", type=float, default=0.1, metavar="F",
                   help="held-out share of each digit for the Evaluator; 0 evaluates against the train split (default: 0.1)")
    p.add_argument("--learning-rate", type=float, default=0.002, metavar="LR",
                   help="Adam learning rate of the final training (default: 0.002)")
    p.add_argument("--max-fid", type=float, metavar="FID", help="bless only a model with FID at most this")
    p.add_argument("--min-recognisable-rate", type=float, metavar="R", help="bless only a model with at least this recognisable rate")
    p.add_argument("--no-baseline", action="store_true", help="do not require the FID to be no worse than the last pushed model's")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Builds the pipeline, runs it and prints where the run record is."""
    from nepscript_keras.components import LocalDagRunner, create_pipeline

    pipeline = create_pipeline(
        tuner=args.tuner, budget=args.budget, data=args.data, dataset=args.dataset, pipeline_root=args.pipeline_root,
        seed=args.seed, space=args.space, max_trials=args.max_trials, learning_rate=args.learning_rate, eval_fraction=args.eval_fraction,
        max_fid=args.max_fid, min_recognisable_rate=args.min_recognisable_rate,
        compare_with_blessed=not args.no_baseline, serving_dir=args.serving_dir,
    )
    record = LocalDagRunner(log=lambda line: print(line, flush=True)).run(pipeline)
    statuses = [c["status"] for c in record["components"]]
    print(f"pipeline succeeded: {statuses.count('executed')} executed, {statuses.count('cached')} cached; "
          f"run record {record['record_path']}")
    return 0
