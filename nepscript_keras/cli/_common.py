"""Flags and helpers shared by several subcommands."""

import argparse


def add_data_args(parser: argparse.ArgumentParser) -> None:
    """Adds `--data` / `--dataset`, the data selection every data-consuming command shares."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--data",
        metavar="PATH",
        help="DHCD folder tree, UCI zip, Kaggle-style CSV or .npz with images/labels",
    )
    group.add_argument(
        "--dataset",
        choices=("dhcd", "synthetic"),
        help="named dataset: dhcd (cached/downloaded) or synthetic (offline, rendered from Noto Sans Devanagari)",
    )


def load_data(args: argparse.Namespace, split: str = "train"):
    """Loads the digits selected by `add_data_args` flags."""
    from nepscript_keras import data

    return data.load_digits(data=args.data, dataset=args.dataset, split=split)


def positive_int(text: str) -> int:
    """argparse type: an integer > 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value
