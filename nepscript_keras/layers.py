"""Custom layers, written with `keras.ops` so they stay backend-neutral."""

import keras
from keras import ops


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
