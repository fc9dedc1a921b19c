"""`nepscript-keras tune`: search GAN architectures with one NAS strategy."""

import argparse

from nepscript_keras.cli._common import add_data_args

TUNER_NAMES = ("random", "progressive", "adaptive", "multi_fidelity", "adversarial")


def register(subparsers) -> None:
    """Adds the `tune` subcommand."""
    p = subparsers.add_parser(
        "tune",
        help="search GAN architectures with one NAS strategy",
        description="Search generator/discriminator architectures with one strategy, train and evaluate each "
        "candidate (FID, IS, precision/recall, script quality), and write trials.csv, best_hparams.json, "
        "best_generator.keras, best_samples.png and summary.md. Running again without --overwrite resumes.",
    )
    p.add_argument("--tuner", default="progressive", metavar="NAME", help=f"strategy: {', '.join(TUNER_NAMES)} (default: progressive)")
    p.add_argument("--budget", default="quick", metavar="NAME",
                   help="smoke (seconds, tests), quick (about 10 min on a 2-core CPU; default), standard, paper")
    p.add_argument("--space", default="paper", metavar="NAME", help="paper (generator searched; default) or joint (discriminator too)")
    p.add_argument("--max-trials", type=int, metavar="N", help="trials to run (default: the budget's)")
    p.add_argument("--epochs", type=int, metavar="E", help="training epochs per trial (default: the budget's)")
    add_data_args(p)
    p.add_argument("--output-dir", metavar="DIR", help="output directory (default: runs/<tuner>)")
    p.add_argument("--seed", type=int, default=0, help="seed of proposals, initialisation and evaluation (default: 0)")
    p.add_argument("--overwrite", action="store_true", help="start afresh instead of resuming the search in --output-dir")
    add_cluster_args(p)
    p.set_defaults(func=run)


def add_cluster_args(parser: argparse.ArgumentParser) -> None:
    """Adds `--chief`, `--worker` and `--distribution` (see `nepscript_keras.distributed`)."""
    group = parser.add_argument_group(
        "several processes, machines and GPUs",
        "Start one chief (--chief HOST:PORT), then workers (--chief HOST:PORT --worker ID) with the same flags "
        "and the same --output-dir on a shared filesystem. Strategies: random, progressive, adaptive, multi_fidelity "
        "(not adversarial: its supernet is one training run in the chief).",
    )
    group.add_argument("--chief", metavar="HOST:PORT", help="chief's address: alone, serve the search's oracle there; with --worker, get trials from it")
    group.add_argument("--worker", metavar="ID", help="run trials for the chief at --chief; ID names this worker (restart with the same ID to resume its trial)")
    group.add_argument("--distribution", default="none", choices=("none", "mirrored"),
                       help="tf.distribute strategy for each trial: mirrored splits batches over all local GPUs (default: none)")


def run(args: argparse.Namespace) -> int:
    """Runs the search and prints where the results are."""
    import tensorflow as tf

    from nepscript_keras import distributed
    from nepscript_keras.search import run_search

    tf.get_logger().setLevel("ERROR")  # one new model per trial: TF's retracing warnings are expected noise

    with distributed.cluster(args.chief, args.worker) as role:
        if role == "chief":
            print(f"chief: serving the search on {args.chief}; start workers with --chief {args.chief} --worker ID", flush=True)
        result = run_search(
            tuner=args.tuner, budget=args.budget, data=args.data, dataset=args.dataset, space=args.space,
            max_trials=args.max_trials, epochs=args.epochs, output_dir=args.output_dir, seed=args.seed,
            overwrite=args.overwrite, distribution_strategy=distributed.distribution_strategy(args.distribution),
        )
    if result is None:
        print(f"worker {args.worker}: no trials left; the chief writes the results", flush=True)
        return 0
    print(f"best architecture: {result.best_hparams}")
    print(f"training epochs: {result.epochs_trained} spent, {result.epochs_saved} saved by early stopping")
    print(f"results: {result.output_dir} (tensorboard --logdir {result.output_dir}/tensorboard)")
    return 0
