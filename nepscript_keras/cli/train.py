"""`nepscript-keras train`: train one GAN architecture and write generator.keras, samples and curves."""

import argparse

from nepscript_keras.cli._common import add_data_args, load_data, positive_int

ARCHITECTURE_FLAGS = {
    "latent_dim": "latent_dim",
    "norm": "norm_type",
    "activation": "activation",
    "dropout": "dropout_rate",
    "residual": "use_residual",
}


def register(subparsers) -> None:
    """Adds the `train` subcommand."""
    p = subparsers.add_parser(
        "train",
        help="train one GAN architecture (default: the seed's best) and save the generator",
        description="Train a GAN on Devanagari digits. With no architecture flags, trains the seed's best "
        "configuration (latent 128, batch norm, ReLU, dropout 0.2, residual). Writes generator.keras, "
        "discriminator.keras, samples.png, loss_curve.png and a checkpoint to --output-dir, and TensorBoard logs.",
    )
    arch = p.add_argument_group("architecture (either --hparams or individual flags)")
    arch.add_argument("--hparams", metavar="JSON", help="hyperparameter file, e.g. a search's best_hparams.json")
    arch.add_argument("--latent-dim", type=int, choices=(64, 100, 128, 200), help="noise vector length (default 128)")
    arch.add_argument("--norm", choices=("batch", "instance"), help="generator normalisation (default batch)")
    arch.add_argument("--activation", choices=("relu", "leaky_relu"), help="generator activation (default relu)")
    arch.add_argument("--dropout", type=float, choices=(0.0, 0.1, 0.2, 0.3), help="generator dropout (default 0.2)")
    arch.add_argument("--residual", action=argparse.BooleanOptionalAction, help="residual blocks in the generator (default on)")
    p.add_argument("--epochs", type=positive_int, required=True, help="total number of epochs")
    add_data_args(p)
    p.add_argument("--output-dir", required=True, metavar="DIR", help="run folder for models, samples and checkpoint")
    p.add_argument("--width", type=positive_int, default=64, help="base filter count (default 64, about 1.2M generator parameters)")
    p.add_argument("--batch-size", type=positive_int, default=32, help="images per step (default 32)")
    p.add_argument("--learning-rate", type=_positive_float, default=0.002, help="Adam learning rate, beta_1 0.5 (default 0.002)")
    p.add_argument("--label-smoothing", type=float, default=0.1, help="one-sided smoothing of real targets (default 0.1)")
    p.add_argument("--seed", type=int, help="random seed for reproducible runs")
    p.add_argument("--conditional", action="store_true", help="train digit-conditional networks (generate --digit then works)")
    p.add_argument("--log-dir", metavar="DIR", help="TensorBoard folder (default tensorboard_logs/<output-dir name>)")
    p.add_argument("--resume", action="store_true", help="continue from --output-dir's checkpoint (pass the same flags)")
    p.set_defaults(func=run)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text}")
    return value


def _hparams(args: argparse.Namespace) -> dict:
    from nepscript_keras.errors import ConfigError
    from nepscript_keras.search_space import load_hparams

    flags = {key: getattr(args, flag) for flag, key in ARCHITECTURE_FLAGS.items() if getattr(args, flag) is not None}
    if args.hparams and flags:
        raise ConfigError("give either --hparams or individual architecture flags (--latent-dim, --norm, ...), not both")
    return load_hparams(args.hparams) if args.hparams else flags


def run(args: argparse.Namespace) -> int:
    """Trains and prints where the results went."""
    from nepscript_keras.training import train

    hparams = _hparams(args)
    summary = train(
        hparams,
        load_data(args),
        epochs=args.epochs,
        output_dir=args.output_dir,
        width=args.width,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        label_smoothing=args.label_smoothing,
        conditional=args.conditional,
        seed=args.seed,
        log_dir=args.log_dir,
        resume=args.resume,
    )
    for name in ("generator", "discriminator", "samples", "loss_curve"):
        print(f"wrote {summary[name]}")
    print(f"TensorBoard: tensorboard --logdir {summary['log_dir']}")
    return 0
