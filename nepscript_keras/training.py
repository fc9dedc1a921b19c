"""Training jobs: `fit_gan` (one guarded `fit`) and `train` (the `nepscript-keras train` job).

Example:

>>> gan = build_gan(width=16)
>>> history = fit_gan(gan, data, epochs=2)
>>> summary = train({"latent_dim": 100}, data, epochs=20, output_dir="runs/g100")
"""

import os
from typing import Any, Callable, Sequence

import keras

from nepscript_keras import io_utils
from nepscript_keras.callbacks import DivergenceGuard, GANCheckpoint, ProgressLogger, SampleGrid, read_checkpoint_state, restore_checkpoint
from nepscript_keras.data import DigitData, to_tf_dataset
from nepscript_keras.errors import ConfigError, TrainingDivergedError
from nepscript_keras.gan import GAN, METRIC_NAMES, build_gan
from nepscript_keras.images import save_grid
from nepscript_keras.models import generate_images
from nepscript_keras.search_space import TRAINING_DEFAULTS, SearchSpace, hparams_dict, save_hparams

DEFAULT_LOG_ROOT = "tensorboard_logs"


def fit_gan(
    gan: GAN,
    data: DigitData,
    *,
    epochs: int,
    initial_epoch: int = 0,
    batch_size: int = TRAINING_DEFAULTS["batch_size"],
    seed: int | None = None,
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int = 0,
) -> keras.callbacks.History:
    """Trains `gan` on `data` with `fit()`, guarded against divergence.

    Args:
        gan: A compiled `GAN` (see `build_gan`); conditional GANs train on the digit labels too.
        data: Training digits.
        epochs: Epoch to stop after (as in `fit`: counts from 0, not from `initial_epoch`).
        initial_epoch: Epoch to start from (when resuming).
        batch_size: Images per step (an incomplete last batch is dropped, unless it is the only one).
        seed: Shuffle seed.
        callbacks: Extra callbacks, run after the `DivergenceGuard`.
        verbose: `fit` verbosity.

    Returns:
        The `keras.callbacks.History` of this call.

    Raises:
        TrainingDivergedError: if the losses became NaN/inf or the discriminator collapsed.
    """
    dataset = to_tf_dataset(data.images, data.labels if gan.conditional else None, batch_size=batch_size, seed=seed)
    history = gan.fit(
        dataset,
        epochs=epochs,
        initial_epoch=initial_epoch,
        callbacks=[DivergenceGuard(), *callbacks],
        verbose=verbose,
        shuffle=False,
    )
    if gan.divergence:
        raise TrainingDivergedError(gan.divergence)
    return history


def train(
    hparams: Any,
    data: DigitData,
    *,
    epochs: int,
    output_dir: str | os.PathLike,
    width: int = 64,
    batch_size: int = TRAINING_DEFAULTS["batch_size"],
    learning_rate: float = TRAINING_DEFAULTS["learning_rate"],
    label_smoothing: float = TRAINING_DEFAULTS["label_smoothing"],
    conditional: bool = False,
    seed: int | None = None,
    log_dir: str | os.PathLike | None = None,
    resume: bool = False,
    print_fn: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Trains one architecture and writes the run folder (the `nepscript-keras train` job).

    Writes `generator.keras`, `discriminator.keras`, `samples.png` (100 samples), `loss_curve.png`,
    `hparams.json`, per-epoch grids under `samples/`, a resumable `checkpoint/` and TensorBoard logs.
    Every file is written atomically.

    Args:
        hparams: Architecture (dict, `HyperParameters` or None for the seed's best); validated.
        data: Training digits.
        epochs: Total number of epochs.
        output_dir: Run folder.
        width: Base filter count of both networks.
        batch_size: Images per step.
        learning_rate: Adam learning rate (beta_1 = 0.5).
        label_smoothing: One-sided smoothing of the real targets.
        conditional: Train digit-conditional networks.
        seed: Random seed (weights, latents, shuffling); None for nondeterministic.
        log_dir: TensorBoard folder (default `tensorboard_logs/<output_dir name>`).
        resume: Continue from the checkpoint in `output_dir` (same settings required) at its epoch.
        print_fn: Where progress lines go.

    Returns:
        A summary dict: `epochs_trained` (total), `initial_epoch`, final metrics, `images_per_second`, output paths.

    Raises:
        ConfigError: for invalid settings or a resume with settings different from the checkpoint's.
        TrainingDivergedError: if training diverged (nothing is exported then; the last good checkpoint stays).
    """
    output_dir = io_utils.ensure_dir(output_dir)
    config = {
        "hparams": SearchSpace.preset("joint").validate(hparams_dict(hparams)),
        "width": width,
        "conditional": conditional,
        "learning_rate": learning_rate,
        "label_smoothing": label_smoothing,
        "batch_size": batch_size,
    }
    if seed is not None:
        keras.utils.set_random_seed(seed)
    gan = build_gan(config["hparams"], width=width, learning_rate=learning_rate,
                    label_smoothing=label_smoothing, conditional=conditional)
    checkpoint_dir = os.path.join(output_dir, "checkpoint")
    state = _resume_state(gan, checkpoint_dir, config, print_fn) if resume else None
    initial_epoch = state["epoch"] if state else 0
    log_dir = os.fspath(log_dir or os.path.join(DEFAULT_LOG_ROOT, os.path.basename(os.path.abspath(output_dir))))
    progress = ProgressLogger(epochs, batch_size, print_fn)
    checkpoint = GANCheckpoint(checkpoint_dir, config, state["history"] if state else ())
    if initial_epoch < epochs:
        callbacks = [
            progress,
            keras.callbacks.TensorBoard(log_dir, write_graph=False, profile_batch=0),
            SampleGrid(png_dir=os.path.join(output_dir, "samples"), log_dir=log_dir, seed=0),
            checkpoint,
        ]
        fit_gan(gan, data, epochs=epochs, initial_epoch=initial_epoch, batch_size=batch_size, seed=seed, callbacks=callbacks)
    else:
        print_fn(f"the checkpoint already has {initial_epoch} epochs (--epochs {epochs}); exporting it")
    paths = export_run(gan, output_dir, config["hparams"], checkpoint.history)
    final = checkpoint.history[-1] if checkpoint.history else {}
    return {
        "epochs_trained": final.get("epoch", 0),
        "initial_epoch": initial_epoch,
        **{k: final[k] for k in METRIC_NAMES if k in final},
        "images_per_second": progress.images_per_second,
        "log_dir": log_dir,
        **paths,
    }


def _resume_state(gan: GAN, checkpoint_dir: str, config: dict[str, Any], print_fn) -> dict[str, Any] | None:
    """Restores the checkpoint into `gan` after checking it was trained with the same settings."""
    saved = read_checkpoint_state(checkpoint_dir)
    if saved is None:
        print_fn(f"no checkpoint in {checkpoint_dir}; starting from epoch 0")
        return None
    before, now = _flat(saved["config"]), _flat(config)
    changed = [f"{k}={before.get(k)!r} (now {v!r})" for k, v in now.items() if before.get(k) != v]
    if changed:
        raise ConfigError(f"cannot resume: the checkpoint was trained with {', '.join(changed)}; "
                          "pass the original flags or drop --resume to start over")
    state = restore_checkpoint(gan, checkpoint_dir)
    print_fn(f"resuming from {checkpoint_dir} at epoch {state['epoch']}")
    return state


def _flat(config: dict[str, Any]) -> dict[str, Any]:
    return {**config.get("hparams", {}), **{k: v for k, v in config.items() if k != "hparams"}}


def export_run(gan: GAN, output_dir: str, hparams: dict[str, Any], history: list[dict[str, float]]) -> dict[str, str]:
    """Writes the trained networks, a 100-sample grid, the loss curve and the hyperparameters.

    Returns:
        The written paths keyed `generator`, `discriminator`, `samples`, `loss_curve`, `hparams`.
    """
    paths = {name: os.path.join(output_dir, file) for name, file in (
        ("generator", "generator.keras"), ("discriminator", "discriminator.keras"), ("samples", "samples.png"),
        ("loss_curve", "loss_curve.png"), ("hparams", "hparams.json"))}
    for name in ("generator", "discriminator"):
        with io_utils.atomic_path(paths[name]) as tmp:
            getattr(gan, name).save(tmp)
    save_grid(generate_images(gan.generator, 100, seed=0), paths["samples"])
    plot_losses(history, paths["loss_curve"])
    save_hparams(paths["hparams"], hparams)
    return paths


def plot_losses(history: list[dict[str, float]], path: str | os.PathLike) -> None:
    """Plots per-epoch `d_loss` / `g_loss` (and discriminator accuracies) to a PNG (Agg backend, atomic).

    Args:
        history: One dict per epoch with `epoch` and metric keys (as stored in checkpoints).
        path: Destination `.png`.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = [row["epoch"] for row in history]
    for name, ax in (("d_loss", loss_ax), ("g_loss", loss_ax), ("d_acc_real", acc_ax), ("d_acc_fake", acc_ax)):
        ax.plot(epochs, [row.get(name, float("nan")) for row in history], marker="o", label=name)
    loss_ax.set(xlabel="epoch", ylabel="loss", title="GAN losses")
    acc_ax.set(xlabel="epoch", ylabel="accuracy", title="discriminator accuracy", ylim=(0, 1))
    for ax in (loss_ax, acc_ax):
        ax.legend()
    fig.tight_layout()
    with io_utils.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)
