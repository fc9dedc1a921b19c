"""Custom layers, written with `keras.ops` so they stay backend-neutral."""

import keras
from keras import ops

from nepscript_keras.errors import ConfigError


@keras.saving.register_keras_serializable(package="nepscript_keras")
class InstanceNormalization(keras.layers.Layer):
    """Normalises each sample's channels over their spatial positions, with a learned scale and shift.

    Args:
        epsilon: Added to the variance to avoid dividing by zero.
        **kwargs: Standard layer arguments.

    Example:

    >>> y = InstanceNormalization()(keras.ops.ones((2, 8, 8, 16)))
    """

    def __init__(self, epsilon: float = 1e-5, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = epsilon

    def build(self, input_shape):
        channels = input_shape[-1]
        self.gamma = self.add_weight(shape=(channels,), initializer="ones", name="gamma")
        self.beta = self.add_weight(shape=(channels,), initializer="zeros", name="beta")

    def call(self, inputs):
        axes = tuple(range(1, len(inputs.shape) - 1))
        mean, variance = ops.moments(inputs, axes=axes, keepdims=True)
        normalized = (inputs - mean) * ops.rsqrt(variance + self.epsilon)
        return normalized * self.gamma + self.beta

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


def normalization(norm_type: str, name: str | None = None) -> keras.layers.Layer:
    """Returns a fresh normalisation layer: `"batch"` (BatchNormalization) or `"instance"`.

    Args:
        norm_type: `"batch"` or `"instance"`.
        name: Optional layer name.

    Returns:
        A Keras layer.
    """
    if norm_type == "batch":
        return keras.layers.BatchNormalization(momentum=0.9, name=name)
    if norm_type == "instance":
        return InstanceNormalization(name=name)
    raise ConfigError(f"unknown norm_type {norm_type!r}; expected 'batch' or 'instance'")


def activation_layer(activation: str, name: str | None = None) -> keras.layers.Layer:
    """Returns a fresh activation layer: `"relu"` or `"leaky_relu"` (negative slope 0.2, as in DCGAN)."""
    if activation == "relu":
        return keras.layers.ReLU(name=name)
    if activation == "leaky_relu":
        return keras.layers.LeakyReLU(negative_slope=0.2, name=name)
    raise ConfigError(f"unknown activation {activation!r}; expected 'relu' or 'leaky_relu'")


@keras.saving.register_keras_serializable(package="nepscript_keras")
class ResidualBlock(keras.layers.Layer):
    """Conv3x3 -> norm -> activation -> Conv3x3 -> norm, added to the input (same shape out).

    Args:
        norm_type: `"batch"` or `"instance"`.
        activation: `"relu"` or `"leaky_relu"`.
        **kwargs: Standard layer arguments.

    Example:

    >>> y = ResidualBlock("instance", "relu")(keras.ops.ones((2, 8, 8, 16)))
    """

    def __init__(self, norm_type: str = "batch", activation: str = "relu", **kwargs):
        super().__init__(**kwargs)
        self.norm_type = norm_type
        self.activation = activation
        self.norm1 = normalization(norm_type)
        self.act = activation_layer(activation)
        self.norm2 = normalization(norm_type)
        self.conv1 = self.conv2 = None

    def build(self, input_shape):
        channels = input_shape[-1]
        self.conv1 = keras.layers.Conv2D(channels, 3, padding="same", use_bias=False)
        self.conv2 = keras.layers.Conv2D(channels, 3, padding="same", use_bias=False)
        shape = tuple(input_shape)
        for layer in (self.conv1, self.norm1, self.conv2, self.norm2):
            layer.build(shape)

    def call(self, inputs, training=None):
        x = self.norm1(self.conv1(inputs), training=training)
        x = self.norm2(self.conv2(self.act(x)), training=training)
        return ops.add(inputs, x)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "norm_type": self.norm_type, "activation": self.activation}
