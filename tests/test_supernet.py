"""AdversarialNAS supernet: mixture layers match the discrete ops, the search moves the architecture weights."""

import keras
import numpy as np
import pytest

from nepscript_keras import supernet
from nepscript_keras.errors import ConfigError
from nepscript_keras.layers import activation_layer, normalization
from nepscript_keras.search_space import SearchSpace

BIG = 30.0


def one_hot_weights(index: int, size: int):
    """Softmax of logits that are +BIG at `index` and -BIG elsewhere (a numerically one-hot mixture)."""
    logits = np.full(size, -BIG, dtype="float32")
    logits[index] = BIG
    return keras.ops.softmax(logits)


def random_images(shape=(4, 8, 8, 6), seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


@pytest.mark.parametrize("index, norm_type", [(0, "batch"), (1, "instance")])
def test_norm_mixture_at_one_hot_equals_discrete_norm(index, norm_type):
    x = random_images()
    mixed = supernet.MixedNormalization()(x, one_hot_weights(index, 2), training=True)
    discrete = normalization(norm_type)(x, training=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mixed), keras.ops.convert_to_numpy(discrete), atol=1e-5)


@pytest.mark.parametrize("index, activation", [(0, "relu"), (1, "leaky_relu")])
def test_activation_mixture_at_one_hot_equals_discrete_activation(index, activation):
    x = random_images()
    mixed = supernet.MixedActivation()(x, one_hot_weights(index, 2))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(mixed), keras.ops.convert_to_numpy(activation_layer(activation)(x)), atol=1e-6)


def test_dropout_mixture_keeps_input_at_rate_zero_and_at_inference():
    x = random_images()
    layer = supernet.MixedDropout([0.0, 0.5], seed=1)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x, one_hot_weights(0, 2), training=True)), x, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x, one_hot_weights(1, 2), training=False)), x)
    dropped = keras.ops.convert_to_numpy(layer(x, one_hot_weights(1, 2), training=True))
    assert 0.3 < np.mean(np.abs(dropped) < 1e-6) < 0.7


def test_residual_gate_off_is_identity_and_on_adds_the_branch():
    x = random_images()
    block = supernet.MixedResidualBlock(6)
    norm, act = one_hot_weights(0, 2), one_hot_weights(0, 2)
    off = block(x, norm, act, one_hot_weights(0, 2), training=True)
    on = block(x, norm, act, one_hot_weights(1, 2), training=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(off), x, atol=1e-5)
    assert np.abs(keras.ops.convert_to_numpy(on) - x).mean() > 1e-2


def test_latent_mixture_at_one_hot_ignores_the_masked_dimensions():
    generator = supernet.GeneratorSupernet(width=8, seed=0)
    generator.build((None, supernet.MAX_LATENT))
    generator.architecture.logits["latent_dim"].assign([BIG, -BIG, -BIG, -BIG])  # keep the first 64 dims
    z = np.random.default_rng(0).normal(size=(3, supernet.MAX_LATENT)).astype("float32")
    z_changed = z.copy()
    z_changed[:, 64:] += 5.0
    same = generator(z_changed, training=False)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(generator(z, training=False)), keras.ops.convert_to_numpy(same), atol=1e-5)
    z_changed[:, :64] += 5.0
    assert not np.allclose(keras.ops.convert_to_numpy(generator(z_changed, training=False)), keras.ops.convert_to_numpy(same))


def test_supernets_separate_architecture_logits_from_network_weights():
    generator = supernet.GeneratorSupernet(width=8)
    generator.build((None, supernet.MAX_LATENT))
    discriminator = supernet.DiscriminatorSupernet(width=8)
    discriminator.build((None, 32, 32, 1))
    assert [v.name for v in generator.arch_variables] == list(SearchSpace.preset("paper").dimensions)
    assert [v.name for v in discriminator.arch_variables] == [k for k in SearchSpace.preset("joint").dimensions if k.startswith("d_")]
    assert len(generator.network_variables) == len(generator.trainable_variables) - 5
    assert generator(np.zeros((2, 200), "float32")).shape == (2, 32, 32, 1)
    assert discriminator(np.zeros((2, 32, 32, 1), "float32")).shape == (2, 1)


def test_derive_architectures_ranks_by_product_of_weights():
    probabilities = {
        "latent_dim": [0.1, 0.2, 0.6, 0.1],
        "norm_type": [0.45, 0.55],
        "activation": [0.9, 0.1],
        "dropout_rate": [0.25, 0.25, 0.4, 0.1],
        "use_residual": [0.2, 0.8],
    }
    ranked = supernet.derive_architectures(probabilities, "paper", top_k=3)
    assert ranked[0]["hparams"] == SearchSpace.preset("paper").validate(
        {"latent_dim": 128, "norm_type": "instance", "activation": "relu", "dropout_rate": 0.2, "use_residual": True}
    )
    assert ranked[1]["hparams"]["norm_type"] == "batch"  # the closest second choice
    weights = [c["weight"] for c in ranked]
    assert weights == sorted(weights, reverse=True)
    assert weights[0] == pytest.approx(0.6 * 0.55 * 0.9 * 0.4 * 0.8)


@pytest.fixture(scope="module", params=["paper", "joint"])
def searched(request, small_digits, tmp_path_factory):
    log_dir = tmp_path_factory.mktemp(f"supernet_{request.param}")
    result = supernet.search_architecture(
        small_digits, space=request.param, epochs=1, width=8, seed=0, log_dir=log_dir, top_k=4
    )
    return request.param, result, log_dir


def test_search_moves_the_architecture_weights(searched):
    space, result, _ = searched
    assert set(result["trajectory"]) == set(SearchSpace.preset(space).dimensions)
    for name, trajectory in result["trajectory"].items():
        assert len(trajectory) == 2  # before training and after the one epoch
        assert not np.allclose(trajectory[0], trajectory[-1]), name
        assert np.isclose(sum(trajectory[-1]), 1.0)


def test_search_derives_distinct_architectures_inside_the_space(searched):
    space, result, _ = searched
    search_space = SearchSpace.preset(space)
    hparams = [c["hparams"] for c in result["candidates"]]
    assert hparams[0] == result["best"] == search_space.validate(result["best"])
    assert all(search_space.validate(h) == h for h in hparams)
    assert len({tuple(sorted(h.items())) for h in hparams}) == 4
    for name, probs in result["probabilities"].items():
        assert result["best"][name] == result["choices"][name][int(np.argmax(probs))]
    assert result["seconds"] > 0 and result["epochs"] == 1 and np.isfinite(result["d_loss"]).all()


def test_search_writes_tensorboard_scalars(searched):
    _, _, log_dir = searched
    assert list(log_dir.glob("events.out.tfevents.*"))


def test_search_rejects_data_too_small_for_a_batch(small_digits):
    with pytest.raises(ConfigError, match="at least 32 images"):
        supernet.search_architecture(small_digits.subset(2), epochs=1, width=8)
