"""`nepscript-keras evaluate`: FID / IS / KID, precision-recall and script quality of a generator or samples."""

import argparse
import logging
import sys

from nepscript_keras.cli._common import add_data_args, load_data, positive_int

EXTRACTOR_NAMES = "dhcd-classifier (default) or inception-v3"
TABLE_KEYS = (
    "fid", "inception_score", "kid", "precision", "recall",
    "recognisable_rate", "class_entropy", "conditional_accuracy", "num_samples", "seconds",
)


def register(subparsers) -> None:
    """Adds the `evaluate` subcommand."""
    p = subparsers.add_parser(
        "evaluate",
        help="score a generator.keras or a samples .npz against the real digits",
        description="Generate (or read) samples and compute FID, Inception Score, KID, improved precision/recall "
        "(k=3) and Nepali-script quality against the real digits. The first run on new data trains the digit "
        "classifier and caches it with the real data's reference statistics.",
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--model", metavar="PATH", help="generator.keras written by `train`")
    source.add_argument("--samples", metavar="PATH", help=".npz with uint8 'images' (N, 32, 32) [and 'labels'], from `generate`")
    p.add_argument("--num-samples", type=positive_int, default=20000, help="samples to generate/use (default 20000)")
    p.add_argument("--extractor", default="dhcd-classifier", help=f"feature extractor: {EXTRACTOR_NAMES}")
    add_data_args(p)
    p.add_argument("--batch-size", type=positive_int, default=500, help="images per forward pass (default 500)")
    p.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    p.add_argument("--output", metavar="metrics.json", help="also write the results as JSON (atomically)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Loads the inputs, evaluates, prints a table and writes the JSON."""
    from nepscript_keras import io_utils
    from nepscript_keras.evaluation import evaluate, load_samples
    from nepscript_keras.extractors import check_extractor_name
    from nepscript_keras.models import load_generator

    check_extractor_name(args.extractor)
    _log_progress()
    labels = None
    if args.model:
        source = load_generator(args.model)
    else:
        source, labels = load_samples(args.samples)
    data = load_data(args)
    result = evaluate(
        source, data, args.num_samples, args.extractor, batch_size=args.batch_size, seed=args.seed, labels=labels
    )
    print(format_table(result))
    if args.output:
        io_utils.write_json(args.output, result)
        print(f"wrote {args.output}")
    return 0


def format_table(result: dict) -> str:
    """Formats the headline numbers of an `evaluate` result as an aligned two-column table."""
    rows = [(key, result[key]) for key in TABLE_KEYS if result.get(key) is not None]
    rows.append(("class_histogram", " ".join(f"{share:.2f}" for share in result["class_histogram"])))
    rows.append(("extractor", f"{result['extractor']} ({result['extractor_fingerprint']})"))
    width = max(len(key) for key, _ in rows)
    return "\n".join(f"{key:<{width}}  {_fmt(value)}" for key, value in rows)


def _fmt(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _log_progress() -> None:
    """Prints the library's progress messages (sampling, classifier training, statistics) to stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    for name in ("nepscript_keras.evaluation", "nepscript_keras.classifier"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        if not logger.handlers:
            logger.addHandler(handler)
