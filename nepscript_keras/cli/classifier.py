"""`nepscript-keras classifier`: build or inspect the cached Devanagari digit classifier."""

import argparse
import json

from nepscript_keras.cli._common import add_data_args, load_data, positive_int


def register(subparsers) -> None:
    """Adds the `classifier` subcommand (`train` / `info`)."""
    p = subparsers.add_parser(
        "classifier",
        help="train or inspect the digit classifier used as the evaluation feature extractor",
        description="The evaluation feature extractor is a small CNN trained on the real digits and cached per data "
        "fingerprint. `train` builds it now (evaluate does so on first use); `info` prints its record, including "
        "its accuracy on a 10% stratified holdout it did not train on.",
    )
    p.add_argument("action", choices=("train", "info"), help="train: build (or reuse) it; info: show its record")
    add_data_args(p)
    p.add_argument("--seed", type=int, default=0, help="training seed (default 0, what evaluate uses)")
    p.add_argument("--epochs", type=positive_int, default=None, help="training epochs (default: the library default)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Trains (or reuses) the classifier, or prints its record."""
    from nepscript_keras import classifier
    from nepscript_keras.errors import ConfigError

    data = load_data(args)
    options = {"seed": args.seed, "epochs": args.epochs or classifier.DEFAULT_EPOCHS}
    if args.action == "train":
        if classifier.classifier_record(data, **options) is None:
            print(f"training the digit classifier on {len(data)} digits from {data.source} ...")
        classifier.get_classifier(data, verbose=2, **options)
    record = classifier.classifier_record(data, **options)
    if record is None:
        raise ConfigError(f"no classifier trained yet for {data.source}; run `nepscript-keras classifier train` with the same data flags")
    print(json.dumps(record, indent=2))
    return 0
