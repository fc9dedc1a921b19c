"""GAN training: train steps across the space, learning, checkpoint/resume, divergence guard, run outputs."""

import json
import os

import keras
import keras_tuner
import numpy as np
import pytest
from PIL import Image

from nepscript_keras.callbacks import DivergenceGuard, SampleGrid, restore_checkpoint
from nepscript_keras.errors import ConfigError, TrainingDivergedError
from nepscript_keras.gan import GAN, GANHyperModel, build_gan
from nepscript_keras.models import load_generator
from nepscript_keras.training import fit_gan, train

WIDTH = 8
# A training step on every one of the 5,120 joint architectures would take far too long; these five cover
# every value of every dimension (generator and discriminator) at least once; test_models.py builds them all.
REPRESENTATIVE = [
    dict(latent_dim=64, norm_type="batch", activation="relu", dropout_rate=0.0, use_residual=False,
         d_norm_type="instance", d_activation="leaky_relu", d_dropout_rate=0.0, d_use_residual=False),
    dict(latent_dim=100, norm_type="instance", activation="leaky_relu", dropout_rate=0.1, use_residual=True,
         d_norm_type="batch", d_activation="relu", d_dropout_rate=0.1, d_use_residual=True),
    dict(latent_dim=128, norm_type="batch", activation="leaky_relu", dropout_rate=0.2, use_residual=False,
         d_norm_type="instance", d_activation="relu", d_dropout_rate=0.2, d_use_residual=True),
    dict(latent_dim=200, norm_type="instance", activation="relu", dropout_rate=0.3, use_residual=True,
         d_norm_type="batch", d_activation="leaky_relu", d_dropout_rate=0.3, d_use_residual=False),
    {},  # The seed's best (discriminator dropout 0.5).
]


@pytest.fixture(scope="module")
def tiny(small_digits):
    """64 real digits (two batches)."""
    return small_digits.subset(7, seed=1)


@pytest.mark.parametrize("hparams", REPRESENTATIVE, ids=["a", "b", "c", "d", "seed"])
def test_train_step_updates_both_networks(hparams, tiny):
    gan = build_gan(hparams, width=WIDTH)
    g_before = [w.numpy().copy() for w in gan.generator.trainable_weights]
    d_before = [w.numpy().copy() for w in gan.discriminator.trainable_weights]
    history = fit_gan(gan, tiny, epochs=1, seed=0)
    assert set(history.history) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(v[0]) for v in history.history.values())
    assert all(0.0 <= history.history[k][0] <= 1.0 for k in ("d_acc_real", "d_acc_fake"))
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(g_before, gan.generator.trainable_weights))
    assert any(not np.allclose(a, w.numpy()) for a, w in zip(d_before, gan.discriminator.trainable_weights))


def test_one_epoch_on_real_digits_shows_learning(small_digits):
    keras.utils.set_random_seed(0)
    gan = build_gan({"latent_dim": 64}, width=16)
    first = {}
    record_first = keras.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: first or first.update(logs))
    history = fit_gan(gan, small_digits, epochs=2, seed=0, callbacks=[record_first])
    # Batch logs are running means, so the first one is the first batch's loss.
    assert history.history["d_loss"][-1] < float(first["d_loss"])
    assert history.history["d_acc_real"][-1] + history.history["d_acc_fake"][-1] > float(first["d_acc_real"]) + float(first["d_acc_fake"])


def test_conditional_gan_trains_on_labels(tiny):
    gan = build_gan({"latent_dim": 64}, width=WIDTH, conditional=True)
    assert gan.conditional and gan.latent_dim == 64
    history = fit_gan(gan, tiny, epochs=1, seed=0)
    assert np.isfinite(history.history["g_loss"][0])


def test_mismatched_networks_rejected():
    from nepscript_keras.models import build_discriminator, build_generator

    with pytest.raises(ValueError, match="conditional"):
        GAN(build_generator(width=WIDTH, conditional=True), build_discriminator(width=WIDTH))


def test_hypermodel_registers_space_and_builds_compiled_gan():
    hp = keras_tuner.HyperParameters()
    gan = GANHyperModel(width=WIDTH).build(hp)
    assert isinstance(gan, GAN) and gan.g_optimizer is not None
    assert hp.values["latent_dim"] == 128 and gan.latent_dim == 128
    assert {p.name for p in hp.space} >= {"latent_dim", "norm_type", "activation", "dropout_rate", "use_residual"}


def test_nan_guard_fires_on_poisoned_learning_rate(tiny, tmp_path):
    with pytest.raises(TrainingDivergedError, match=r"diverged at epoch 1 batch \d+: d_loss="):
        train({"latent_dim": 64}, tiny, epochs=2, output_dir=tmp_path / "run", width=WIDTH, learning_rate=1e10,
              seed=0, log_dir=tmp_path / "logs", print_fn=lambda line: None)
    assert not os.path.exists(tmp_path / "run" / "generator.keras")
    assert not os.path.exists(tmp_path / "run" / "checkpoint" / "state.json")


def test_collapse_guard_stops_training(tiny):
    gan = build_gan({"latent_dim": 64}, width=WIDTH)
    with pytest.raises(TrainingDivergedError, match="discriminator collapsed at epoch 1"):
        fit_gan(gan, tiny, epochs=3, callbacks=[DivergenceGuard(max_g_loss=0.0)])


def test_sample_grid_writes_png_and_tensorboard_image(tiny, tmp_path):
    gan = build_gan({"latent_dim": 64}, width=WIDTH)
    fit_gan(gan, tiny, epochs=2, callbacks=[SampleGrid(png_dir=str(tmp_path / "png"), log_dir=str(tmp_path / "tb"), num_samples=20)])
    assert sorted(os.listdir(tmp_path / "png")) == ["epoch_0001.png", "epoch_0002.png"]
    for name in ("epoch_0001.png", "epoch_0002.png"):
        _assert_grid_png(tmp_path / "png" / name, num_samples=20)
    assert os.listdir(tmp_path / "tb" / "samples")


def _assert_grid_png(path, num_samples: int, ncols: int = 10, scale: int = 2) -> None:
    """Checks a `save_grid` PNG: grayscale, the grid's size for `num_samples` images, not blank."""
    rows = -(-num_samples // ncols)
    with Image.open(path) as image:
        assert image.format == "PNG" and image.mode == "L"
        assert image.size == (scale * (ncols * 34 + 2), scale * (rows * 34 + 2))
        assert np.asarray(image).std() > 0


def test_train_writes_run_and_resumes_from_saved_epoch(tiny, tmp_path):
    run, lines = tmp_path / "run", []
    kwargs = dict(output_dir=run, width=WIDTH, seed=0, log_dir=tmp_path / "logs", print_fn=lines.append)
    first = train({"latent_dim": 64, "norm_type": "instance"}, tiny, epochs=1, **kwargs)
    for name in ("generator.keras", "discriminator.keras"):
        assert (run / name).stat().st_size > 0
    _assert_grid_png(run / "samples.png", num_samples=100)
    with Image.open(run / "loss_curve.png") as image:
        assert image.format == "PNG" and image.size[0] > image.size[1] and np.asarray(image.convert("L")).std() > 0
    hparams = json.loads((run / "hparams.json").read_text())
    assert hparams["latent_dim"] == 64 and hparams["norm_type"] == "instance" and hparams["d_dropout_rate"] == 0.5
    assert lines[0].startswith("epoch 1/1") and "images/s" in lines[0]
    assert os.listdir(tmp_path / "logs" / "train")
    assert first["initial_epoch"] == 0

    resumed = build_gan({"latent_dim": 64, "norm_type": "instance"}, width=WIDTH)
    assert restore_checkpoint(resumed, str(run / "checkpoint"))["epoch"] == 1
    assert int(resumed.g_optimizer.iterations) == 2  # Optimizer state came back: two steps in epoch 1.

    with pytest.raises(ConfigError, match=r"width=8 \(now 16\)"):
        train({"latent_dim": 64, "norm_type": "instance"}, tiny, epochs=3, resume=True, **{**kwargs, "width": 16})
    second = train({"latent_dim": 64, "norm_type": "instance"}, tiny, epochs=3, resume=True, **kwargs)
    assert second["initial_epoch"] == 1
    assert lines[-2].startswith("epoch 2/3") and lines[-1].startswith("epoch 3/3")
    state = json.loads((run / "checkpoint" / "state.json").read_text())
    assert state["epoch"] == 3 and [row["epoch"] for row in state["history"]] == [1, 2, 3]
    assert load_generator(run / "generator.keras").inputs[0].shape[-1] == 64
