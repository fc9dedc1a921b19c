"""`nepscript-keras generate`: sample digits from a trained generator into a PNG grid or an .npz."""

import argparse

from nepscript_keras.cli._common import positive_int


def register(subparsers) -> None:
    """Adds the `generate` subcommand."""
    p = subparsers.add_parser(
        "generate",
        help="sample digits from a generator.keras into a PNG grid or an .npz",
        description="Sample digits from a trained generator. OUTPUT ending in .png gets a grid image; ending in "
        ".npz gets uint8 'images' (N, 32, 32) (plus 'labels' for a conditional generator), the format "
        "the evaluation tools read.",
    )
    p.add_argument("--model", required=True, metavar="PATH", help="generator.keras written by `train`")
    p.add_argument("--num-samples", type=positive_int, default=100, help="number of images (default 100)")
    p.add_argument("--digit", type=int, choices=range(10), metavar="{0..9}", help="digit to draw (conditional generators only)")
    p.add_argument("--seed", type=int, default=0, help="latent seed (default 0)")
    p.add_argument("--output", required=True, metavar="X.png|X.npz", help="output file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Loads the generator, samples and writes the output."""
    import numpy as np

    from nepscript_keras import io_utils
    from nepscript_keras.errors import ConfigError
    from nepscript_keras.images import save_grid
    from nepscript_keras.models import default_labels, generate_images, generator_spec, load_generator

    if not args.output.endswith((".png", ".npz")):
        raise ConfigError(f"--output {args.output} must end in .png (grid image) or .npz (arrays)")
    generator = load_generator(args.model)
    conditional = generator_spec(generator)[1]
    if args.digit is not None and not conditional:
        raise ConfigError(f"--digit needs a conditional generator; {args.model} is unconditional (train with --conditional)")
    labels = None
    if conditional:
        labels = np.full(args.num_samples, args.digit, np.int64) if args.digit is not None else default_labels(args.num_samples)
    images = generate_images(generator, args.num_samples, seed=args.seed, labels=labels)
    if args.output.endswith(".png"):
        save_grid(images, args.output)
    else:
        arrays = {"images": images} if labels is None else {"images": images, "labels": labels}
        with io_utils.atomic_path(args.output) as tmp:
            np.savez(tmp, **arrays)
    print(f"wrote {args.num_samples} samples to {args.output}")
    return 0
