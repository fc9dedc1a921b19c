"""`nepscript-keras data`: inspect the digit data (`info`) and look at it (`preview`)."""

import argparse

from nepscript_keras.cli._common import add_data_args, positive_int


def register(subparsers) -> None:
    """Adds the `data` command with its `info` and `preview` actions."""
    parser = subparsers.add_parser(
        "data",
        help="inspect the digit data: counts, pixel statistics, a preview grid",
        description="Inspect the Devanagari digit data selected by --data/--dataset (default: DHCD if "
        "cached or downloadable, else synthetic).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    info = actions.add_parser("info", help="print source, counts per class and split, pixel stats, fingerprint")
    add_data_args(info)
    info.add_argument("--split", choices=("train", "test"), help="only this split (default: every split the source has)")
    info.set_defaults(func=run_info)
    preview = actions.add_parser("preview", help="write a 10x10 montage PNG, one row per digit ० … ९")
    add_data_args(preview)
    preview.add_argument("--output", required=True, metavar="PNG", help="the PNG file to write")
    preview.add_argument("--split", choices=("train", "test"), default="train", help="split to show (default: train)")
    preview.add_argument("--per-class", type=positive_int, default=10, help="images per digit row (default: 10)")
    preview.add_argument("--seed", type=int, default=0, help="seed of the random pick (default: 0)")
    preview.add_argument("--scale", type=positive_int, default=2, help="upscaling factor (default: 2)")
    preview.set_defaults(func=run_preview)


def run_info(args: argparse.Namespace) -> int:
    """Prints one block per split: source, size, counts per digit, pixel statistics, fingerprint."""
    from nepscript_keras import data
    from nepscript_keras.errors import DataError

    if args.data is None and args.dataset is None:
        args.dataset = data.default_dataset()
    splits = [args.split] if args.split else ["train", "test"]
    for split in splits:
        try:
            digits = data.load_digits(data=args.data, dataset=args.dataset, split=split)
        except DataError as e:
            if args.split or split == "train":
                raise
            print(f"{split}: not available ({e})")
            continue
        print(_describe(digits, data.pixel_stats(digits.images)))
    return 0


def _describe(digits, stats: dict) -> str:
    counts = " ".join(f"{c}:{n}" for c, n in enumerate(digits.class_counts()))
    return (
        f"{digits.split}: {len(digits)} images from {digits.source}\n"
        f"  per digit  {counts}\n"
        f"  pixels     mean {stats['mean']:.1f}  std {stats['std']:.1f}  ink fraction {stats['ink_fraction']:.3f}\n"
        f"  fingerprint {digits.fingerprint()}"
    )


def run_preview(args: argparse.Namespace) -> int:
    """Writes the montage and prints its path."""
    from nepscript_keras import data
    from nepscript_keras.cli._common import load_data
    from nepscript_keras.images import save_grid

    digits = load_data(args, split=args.split)
    montage = data.digit_montage(digits, per_class=args.per_class, seed=args.seed)
    path = save_grid(montage, args.output, ncols=args.per_class, scale=args.scale)
    print(f"wrote {path}: {args.per_class} images per digit from {digits.source} ({digits.split})")
    return 0
