"""Generator/discriminator factories: every architecture in the space builds and maps to the right shapes."""

import itertools

import keras
import keras_tuner
import numpy as np
import pytest

from nepscript_keras.errors import ConfigError, ModelFileError
from nepscript_keras.layers import InstanceNormalization, ResidualBlock
from nepscript_keras.models import build_discriminator, build_generator, generate_images, generator_spec, load_generator
from nepscript_keras.search_space import DISCRIMINATOR_DIMENSIONS, SearchSpace

WIDTH = 8
# Every generator architecture of the space (128) and every discriminator one (40) is built and run forward
# here; a training step on a representative subset lives in test_gan.py.
GENERATOR_COMBOS = list(SearchSpace.preset("paper").combinations())
DISCRIMINATOR_COMBOS = [dict(zip(DISCRIMINATOR_DIMENSIONS, v)) for v in itertools.product(*DISCRIMINATOR_DIMENSIONS.values())]


def _id(hparams):
    return "-".join(str(v) for v in hparams.values())


@pytest.mark.parametrize("hparams", GENERATOR_COMBOS, ids=[_id(c) for c in GENERATOR_COMBOS])
def test_every_generator_builds_with_image_output(hparams):
    generator = build_generator(hparams, width=WIDTH)
    z = np.random.default_rng(0).standard_normal((3, hparams["latent_dim"])).astype("float32")
    images = keras.ops.convert_to_numpy(generator(z, training=True))
    assert generator.name == "generator"
    assert images.shape == (3, 32, 32, 1)
    assert np.all(np.abs(images) <= 1.0)
    assert generator_spec(generator) == (hparams["latent_dim"], False)


@pytest.mark.parametrize("hparams", DISCRIMINATOR_COMBOS, ids=[_id(c) for c in DISCRIMINATOR_COMBOS])
def test_every_discriminator_builds_with_one_logit(hparams):
    discriminator = build_discriminator(hparams, width=WIDTH)
    logits = keras.ops.convert_to_numpy(discriminator(np.zeros((3, 32, 32, 1), "float32"), training=True))
    assert discriminator.name == "discriminator"
    assert logits.shape == (3, 1) and np.all(np.isfinite(logits))


def test_keywords_and_hyperparameters_agree():
    hp = keras_tuner.HyperParameters()
    SearchSpace.preset("joint").register(hp)
    hp.values.update(latent_dim=64, norm_type="instance", use_residual=False, d_norm_type="instance")
    from_hp = build_generator(hp, width=WIDTH)
    from_keywords = build_generator(latent_dim=64, norm_type="instance", use_residual=False, width=WIDTH)
    assert [type(layer).__name__ for layer in from_hp.layers] == [type(layer).__name__ for layer in from_keywords.layers]
    assert any(isinstance(layer, InstanceNormalization) for layer in build_discriminator(hp, width=WIDTH).layers)


def test_residual_and_instance_norm_are_real_layers():
    generator = build_generator(norm_type="instance", use_residual=True, width=WIDTH)
    blocks = [layer for layer in generator.layers if isinstance(layer, ResidualBlock)]
    assert len(blocks) == 3 and all(block.count_params() > 0 for block in blocks)
    x = np.random.default_rng(0).standard_normal((2, 4, 4, 3)).astype("float32") * 5 + 2
    y = keras.ops.convert_to_numpy(InstanceNormalization()(x))
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-5)
    np.testing.assert_allclose(y.std(axis=(1, 2)), 1.0, atol=1e-3)


def test_default_width_is_about_a_million_parameters():
    assert 1.0e6 < build_generator().count_params() < 1.5e6


def test_invalid_hyperparameters():
    with pytest.raises(ConfigError, match="norm_type"):
        build_generator({"norm_type": "layer"})
    with pytest.raises(ConfigError, match="activation"):
        build_discriminator(activation="gelu")


def _round_trip(model, inputs, tmp_path):
    path = tmp_path / f"{model.name}.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    expected = keras.ops.convert_to_numpy(model(inputs, training=False))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(restored(inputs, training=False)), expected)
    return path


@pytest.mark.parametrize("norm_type", ["batch", "instance"])
@pytest.mark.parametrize("conditional", [False, True])
def test_save_load_round_trip(tmp_path, norm_type, conditional):
    kwargs = dict(norm_type=norm_type, activation="leaky_relu", width=WIDTH, conditional=conditional)
    generator = build_generator(latent_dim=64, **kwargs)
    discriminator = build_discriminator(**kwargs)
    z = np.random.default_rng(1).standard_normal((4, 64)).astype("float32")
    labels = np.array([[0], [3], [7], [9]], "int32")
    path = _round_trip(generator, [z, labels] if conditional else z, tmp_path)
    images = keras.ops.convert_to_numpy(generator([z, labels] if conditional else z))
    _round_trip(discriminator, [images, labels] if conditional else images, tmp_path)
    assert generator_spec(load_generator(path)) == (64, conditional)


def test_conditional_generator_depends_on_label():
    generator = build_generator(latent_dim=64, width=WIDTH, conditional=True)
    z = np.zeros((2, 64), "float32")
    images = keras.ops.convert_to_numpy(generator([z, np.array([[1], [2]], "int32")]))
    assert not np.allclose(images[0], images[1])


def test_generate_images_is_seeded_uint8():
    generator = build_generator(latent_dim=64, width=WIDTH)
    first = generate_images(generator, 5, seed=3)
    assert first.shape == (5, 32, 32) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, generate_images(generator, 5, seed=3))


def test_load_generator_errors(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        load_generator(tmp_path / "missing.keras")
    corrupt = tmp_path / "corrupt.keras"
    corrupt.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="corrupt") as info:
        load_generator(corrupt)
    assert "\n" not in str(info.value)
    discriminator = tmp_path / "d.keras"
    build_discriminator(width=WIDTH).save(discriminator)
    with pytest.raises(ModelFileError, match="not a generator"):
        load_generator(discriminator)
