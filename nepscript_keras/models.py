"""Generator and discriminator factories for 32x32 Devanagari digits (plain Keras functional models).

Block layout (the adversarial supernet mirrors it; `w` = `width`):

- Generator: z -> Dense(4*4*4w) -> reshape -> norm -> act -> up-block(2w) -> up-block(w) -> up-block(w/2)
  -> Conv3x3(1) -> tanh. Up-block = UpSampling2D(2) -> Conv3x3 -> norm -> act -> Dropout, then a
  `ResidualBlock` when `use_residual`.
- Discriminator: Conv4x4 s2 (w) -> act -> Conv4x4 s2 (2w) -> norm -> act -> dropout -> [ResidualBlock]
  -> Conv4x4 s2 (4w) -> norm -> act -> dropout -> flatten -> Dense(1) (one logit per image).

Conditional models take an int digit label (shape (1,)) as a second input: the generator concatenates a
label embedding to z; the discriminator adds a label-embedding image as a second input channel.

Example:

>>> generator = build_generator(latent_dim=100, norm_type="instance", width=16)
>>> images = generator(keras.random.normal((4, 100)))  # (4, 32, 32, 1) in [-1, 1]
"""

import os
from typing import Any

import keras
import numpy as np

from nepscript_keras.data import NUM_CLASSES
from nepscript_keras.errors import ModelFileError
from nepscript_keras.layers import ResidualBlock, activation_layer, normalization
from nepscript_keras.search_space import SearchSpace, hparams_dict

IMAGE_SHAPE = (32, 32, 1)


def build_generator(
    hp: Any = None,
    *,
    latent_dim: int = 128,
    norm_type: str = "batch",
    activation: str = "relu",
    dropout_rate: float = 0.2,
    use_residual: bool = True,
    width: int = 64,
    conditional: bool = False,
) -> keras.Model:
    """Builds the generator: latent vector (and digit label) -> 32x32x1 image in [-1, 1].

    Args:
        hp: Optional `keras_tuner.HyperParameters` or dict; its generator names override the keywords.
        latent_dim: Length of the noise vector z.
        norm_type: `"batch"` or `"instance"`.
        activation: `"relu"` or `"leaky_relu"`.
        dropout_rate: Dropout after each up-block's activation (0 disables it).
        use_residual: Add a residual block after each up-block.
        width: Base filter count (64 gives about 1.2M parameters; tests use 8-16).
        conditional: Take an int label input of shape (1,) as well.

    Returns:
        A functional `keras.Model` named `"generator"`.

    Example:

    >>> g = build_generator(latent_dim=64, width=8, conditional=True)
    >>> g([keras.random.normal((2, 64)), keras.ops.array([[3], [7]])]).shape
    (2, 32, 32, 1)
    """
    c = _config(hp, "", latent_dim=latent_dim, norm_type=norm_type, activation=activation,
                dropout_rate=dropout_rate, use_residual=use_residual)
    z = keras.Input((c["latent_dim"],), name="z")
    inputs, x = [z], z
    if conditional:
        label = keras.Input((1,), dtype="int32", name="label")
        inputs.append(label)
        embedded = keras.layers.Flatten()(keras.layers.Embedding(NUM_CLASSES, 32, name="label_embedding")(label))
        x = keras.layers.Concatenate()([z, embedded])
    x = keras.layers.Dense(4 * 4 * 4 * width, use_bias=False)(x)
    x = keras.layers.Reshape((4, 4, 4 * width))(x)
    x = activation_layer(c["activation"])(normalization(c["norm_type"])(x))
    for filters in (2 * width, width, max(width // 2, 1)):
        x = _up_block(x, filters, c)
    x = keras.layers.Conv2D(1, 3, padding="same", activation="tanh", name="image")(x)
    return keras.Model(inputs if conditional else z, x, name="generator")


def build_discriminator(
    hp: Any = None,
    *,
    norm_type: str = "batch",
    activation: str = "leaky_relu",
    dropout_rate: float = 0.5,
    use_residual: bool = True,
    width: int = 64,
    conditional: bool = False,
) -> keras.Model:
    """Builds the discriminator: 32x32x1 image (and digit label) -> one real/fake logit.

    Args:
        hp: Optional `keras_tuner.HyperParameters` or dict; its `d_*` names override the keywords.
        norm_type: `"batch"` or `"instance"`.
        activation: `"relu"` or `"leaky_relu"`.
        dropout_rate: Dropout after the second and third convolutions.
        use_residual: Add a residual block after the second convolution.
        width: Base filter count.
        conditional: Take an int label input of shape (1,) as well.

    Returns:
        A functional `keras.Model` named `"discriminator"` with output shape (N, 1) (logits).

    Example:

    >>> d = build_discriminator(norm_type="instance", width=8)
    >>> d(keras.ops.zeros((2, 32, 32, 1))).shape
    (2, 1)
    """
    c = _config(hp, "d_", norm_type=norm_type, activation=activation, dropout_rate=dropout_rate,
                use_residual=use_residual)
    image = keras.Input(IMAGE_SHAPE, name="image")
    inputs, x = [image], image
    if conditional:
        label = keras.Input((1,), dtype="int32", name="label")
        inputs.append(label)
        embedded = keras.layers.Embedding(NUM_CLASSES, 32 * 32, name="label_embedding")(label)
        x = keras.layers.Concatenate()([image, keras.layers.Reshape(IMAGE_SHAPE)(embedded)])
    x = activation_layer(c["activation"])(keras.layers.Conv2D(width, 4, strides=2, padding="same")(x))
    x = _down_block(x, 2 * width, c)
    if c["use_residual"]:
        x = ResidualBlock(c["norm_type"], c["activation"])(x)
    x = _down_block(x, 4 * width, c)
    logit = keras.layers.Dense(1, name="logit")(keras.layers.Flatten()(x))
    return keras.Model(inputs if conditional else image, logit, name="discriminator")


def _config(hp: Any, prefix: str, **keywords) -> dict[str, Any]:
    """Returns the keyword values, overridden by the `prefix`-named values in `hp` (validated)."""
    given = hparams_dict(hp)
    if not given:
        return keywords
    full = SearchSpace.preset("joint").validate(given)
    return {k: full[prefix + k] if prefix + k in given else v for k, v in keywords.items()}


def _up_block(x, filters: int, c: dict[str, Any]):
    x = keras.layers.UpSampling2D(2)(x)
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = activation_layer(c["activation"])(normalization(c["norm_type"])(x))
    if c["dropout_rate"] > 0:
        x = keras.layers.Dropout(c["dropout_rate"])(x)
    if c["use_residual"]:
        x = ResidualBlock(c["norm_type"], c["activation"])(x)
    return x


def _down_block(x, filters: int, c: dict[str, Any]):
    x = keras.layers.Conv2D(filters, 4, strides=2, padding="same", use_bias=False)(x)
    x = activation_layer(c["activation"])(normalization(c["norm_type"])(x))
    if c["dropout_rate"] > 0:
        x = keras.layers.Dropout(c["dropout_rate"])(x)
    return x


def generator_spec(model: keras.Model) -> tuple[int, bool]:
    """Returns `(latent_dim, conditional)` of a generator built by `build_generator`."""
    return int(model.inputs[0].shape[-1]), len(model.inputs) > 1


def load_generator(path: str | os.PathLike) -> keras.Model:
    """Loads a generator saved with `model.save("generator.keras")`.

    Args:
        path: The `.keras` file.

    Returns:
        The generator model.

    Raises:
        ModelFileError: (one line) if the file is missing, unreadable/corrupt, or not a generator.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise ModelFileError(f"model file {path} does not exist; pass a generator.keras written by `nepscript-keras train`")
    if not path.endswith((".keras", ".h5")):
        raise ModelFileError(f"{path} is not a Keras model file (.keras); pass a generator.keras written by `nepscript-keras train`")
    try:
        model = keras.models.load_model(path, compile=False)
    except Exception as e:  # Keras raises many types (ValueError, OSError, zipfile errors) for bad files.
        reason = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise ModelFileError(f"cannot load {path}: {reason[:200]}; the file is corrupt or not a Keras model") from e
    if not _is_generator(model):
        raise ModelFileError(f"{path} is not a generator (it maps {_shapes(model)}); pass a generator.keras file")
    return model


def _is_generator(model) -> bool:
    if not isinstance(model, keras.Model) or not model.inputs or len(model.inputs) > 2:
        return False
    return len(model.inputs[0].shape) == 2 and tuple(model.outputs[0].shape[1:]) == IMAGE_SHAPE


def _shapes(model) -> str:
    inputs = [tuple(t.shape) for t in getattr(model, "inputs", None) or []]
    outputs = [tuple(t.shape) for t in getattr(model, "outputs", None) or []]
    return f"{inputs} -> {outputs}"


def generate_images(
    generator: keras.Model,
    num_samples: int,
    *,
    seed: int = 0,
    labels: np.ndarray | None = None,
    batch_size: int = 500,
) -> np.ndarray:
    """Samples uint8 digit images from a generator with seeded N(0, 1) latents.

    Args:
        generator: A model from `build_generator` / `load_generator`.
        num_samples: Number of images.
        seed: Latent seed (same seed, same images).
        labels: Digit per sample for a conditional generator (default: 0..9 repeated); ignored otherwise.
        batch_size: Images per forward pass.

    Returns:
        uint8 array (num_samples, 32, 32).

    Example:

    >>> images = generate_images(load_generator("generator.keras"), 100, seed=1)
    """
    from nepscript_keras.images import to_uint8

    latent_dim, conditional = generator_spec(generator)
    z = np.random.default_rng(seed).standard_normal((num_samples, latent_dim)).astype(np.float32)
    inputs = z
    if conditional:
        labels = default_labels(num_samples) if labels is None else np.asarray(labels)
        inputs = [z, labels.reshape(-1, 1).astype(np.int32)]
    return to_uint8(generator.predict(inputs, batch_size=batch_size, verbose=0))


def default_labels(num_samples: int) -> np.ndarray:
    """Digit labels 0, 1, ..., 9, 0, 1, ... for `num_samples` conditional samples (int64)."""
    return np.arange(num_samples, dtype=np.int64) % NUM_CLASSES
