"""Keras callbacks for GAN training: divergence guard, sample grids, resumable checkpoints, progress.

All of them work with `GAN.fit()` (they read the `d_loss`, `g_loss`, `d_acc_real`, `d_acc_fake` logs).
Once `DivergenceGuard` has fired (`gan.divergence` is set), the others stop writing, so a diverged run
never overwrites good samples or checkpoints with garbage.
"""

import json
import math
import os
import time
from typing import Any, Callable

import keras
import numpy as np

from nepscript_keras import io_utils
from nepscript_keras.gan import METRIC_NAMES
from nepscript_keras.images import image_grid, save_grid
from nepscript_keras.models import generate_images

CHECKPOINT_STATE = "state.json"


class DivergenceGuard(keras.callbacks.Callback):
    """Stops training on NaN/inf losses or a collapsed discriminator and records why in `gan.divergence`.

    Args:
        max_loss: A batch whose running loss is not finite or exceeds this (logits in the thousands)
            counts as divergence; training stops after that batch.
        max_g_loss: An epoch whose mean generator loss exceeds this counts as a collapse: the
            discriminator rejects every fake with near certainty (logits beyond -max_g_loss) and
            the generator has stopped learning.

    Example:

    >>> gan.fit(dataset, epochs=5, callbacks=[DivergenceGuard()])
    >>> gan.divergence  # None, or "diverged at epoch 2 batch 17: d_loss=nan g_loss=nan"
    """

    def __init__(self, max_loss: float = 1e4, max_g_loss: float = 100.0):
        super().__init__()
        self.max_loss, self.max_g_loss = max_loss, max_g_loss
        self.epoch = 0

    def on_train_begin(self, logs=None):
        self.model.divergence = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        values = _losses(logs)
        if not all(math.isfinite(v) and abs(v) <= self.max_loss for v in values.values()):
            self._stop(f"diverged at epoch {self.epoch + 1} batch {batch + 1}: {_format(values)}; "
                       "lower --learning-rate or change the architecture")

    def on_epoch_end(self, epoch, logs=None):
        values = _losses(logs)
        if self.model.divergence is None and values.get("g_loss", 0.0) > self.max_g_loss:
            self._stop(f"discriminator collapsed at epoch {epoch + 1}: {_format(values)} (g_loss > "
                       f"{self.max_g_loss:g}); lower --learning-rate or change the architecture")

    def _stop(self, message: str) -> None:
        self.model.divergence = message
        self.model.stop_training = True


def _losses(logs) -> dict[str, float]:
    return {k: float(logs[k]) for k in ("d_loss", "g_loss") if logs and k in logs}


def _format(values: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in values.items())


def _diverged(model) -> bool:
    return getattr(model, "divergence", None) is not None


class SampleGrid(keras.callbacks.Callback):
    """After each epoch, draws images from fixed latents: a PNG grid and a TensorBoard image.

    Args:
        png_dir: Folder for `epoch_0001.png`, ... (None: no PNGs).
        log_dir: TensorBoard log folder; images go to its `samples/` run (None: no TensorBoard image).
        num_samples: Images per grid (conditional models cycle through the digits 0..9).
        seed: Seed of the fixed latents.
    """

    def __init__(self, png_dir: str | None = None, log_dir: str | None = None, num_samples: int = 100, seed: int = 0):
        super().__init__()
        self.png_dir, self.log_dir = png_dir, log_dir
        self.num_samples, self.seed = num_samples, seed
        self.writer = None

    def on_train_begin(self, logs=None):
        if self.log_dir and self.writer is None:
            import tensorflow as tf

            self.writer = tf.summary.create_file_writer(os.path.join(self.log_dir, "samples"))

    def on_epoch_end(self, epoch, logs=None):
        if _diverged(self.model):
            return
        images = generate_images(self.model.generator, self.num_samples, seed=self.seed)
        if self.png_dir:
            save_grid(images, os.path.join(self.png_dir, f"epoch_{epoch + 1:04d}.png"))
        if self.writer is not None:
            import tensorflow as tf

            with self.writer.as_default():
                tf.summary.image("samples", _grid_batch(images), step=epoch + 1)
            self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def _grid_batch(images: np.ndarray) -> np.ndarray:
    return image_grid(images)[None, :, :, None]


class GANCheckpoint(keras.callbacks.Callback):
    """Saves everything needed to resume (both networks, both optimizers, epoch, history) each epoch.

    The weights go to `gan-epoch<k>.weights.h5`, then `state.json` (the commit point) is replaced to
    point at them, then older weight files are removed; a crash at any moment leaves a consistent
    checkpoint. Read it back with `restore_checkpoint`.

    Args:
        directory: Checkpoint folder.
        config: Settings to store with the checkpoint (architecture, width, ...); compared on resume.
        history: Per-epoch logs of earlier epochs (when resuming), continued by this run.
    """

    def __init__(self, directory: str, config: dict[str, Any], history: list[dict[str, float]] = ()):
        super().__init__()
        self.directory, self.config = directory, config
        self.history = list(history)

    def on_epoch_end(self, epoch, logs=None):
        if _diverged(self.model):
            return
        self.history.append({"epoch": epoch + 1, **{k: float(logs[k]) for k in METRIC_NAMES if k in logs}})
        name = f"gan-epoch{epoch + 1}.weights.h5"
        with io_utils.atomic_path(os.path.join(self.directory, name)) as tmp:
            self.model.save_weights(tmp)
        state = {"epoch": epoch + 1, "weights": name, "config": self.config, "history": self.history}
        io_utils.write_json(os.path.join(self.directory, CHECKPOINT_STATE), state)
        for old in os.listdir(self.directory):
            if old.startswith("gan-epoch") and old.endswith(".weights.h5") and old != name:
                os.remove(os.path.join(self.directory, old))


def read_checkpoint_state(directory: str) -> dict[str, Any] | None:
    """Returns the checkpoint state (`epoch`, `weights`, `config`, `history`) in `directory`, or None."""
    path = os.path.join(directory, CHECKPOINT_STATE)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def restore_checkpoint(gan, directory: str) -> dict[str, Any] | None:
    """Loads the latest checkpoint in `directory` into a compiled `gan`; returns its state or None."""
    state = read_checkpoint_state(directory)
    if state is not None:
        gan.load_weights(os.path.join(directory, state["weights"]))
    return state


class ProgressLogger(keras.callbacks.Callback):
    """Prints one line per epoch: `epoch k/N  d_loss=... g_loss=... ...  N images/s`.

    Args:
        epochs: Total number of epochs (for the `k/N` display).
        batch_size: Images per batch (for the throughput).
        print_fn: Where lines go.
    """

    def __init__(self, epochs: int, batch_size: int, print_fn: Callable[[str], None] = print):
        super().__init__()
        self.epochs, self.batch_size, self.print_fn = epochs, batch_size, print_fn
        self.start = 0.0
        self.batches = 0
        self.images_per_second: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start, self.batches = time.perf_counter(), 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1

    def on_epoch_end(self, epoch, logs=None):
        rate = self.batches * self.batch_size / max(time.perf_counter() - self.start, 1e-9)
        self.images_per_second.append(rate)
        metrics = " ".join(f"{k}={float(logs[k]):.4f}" for k in METRIC_NAMES if k in (logs or {}))
        self.print_fn(f"epoch {epoch + 1}/{self.epochs}  {metrics}  {rate:.0f} images/s")
