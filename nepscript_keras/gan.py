"""The GAN as a `keras.Model`: custom `train_step`, so `fit()`, callbacks and tf.data all just work.

Example:

>>> gan = build_gan({"latent_dim": 64, "norm_type": "instance"}, width=16)
>>> gan.fit(to_tf_dataset(data.images), epochs=1)
"""

from typing import Any

import keras
import keras_tuner
import tensorflow as tf

from nepscript_keras.models import build_discriminator, build_generator, generator_spec
from nepscript_keras.search_space import TRAINING_DEFAULTS, SearchSpace, hparams_dict

METRIC_NAMES = ("d_loss", "g_loss", "d_acc_real", "d_acc_fake")


class GAN(keras.Model):
    """A generator and a discriminator trained against each other by `fit()`.

    Each step draws fresh N(0, 1) latents, scores real and generated images with the discriminator and
    updates both networks from one forward pass (binary cross-entropy on logits, one-sided label
    smoothing: real targets are `1 - label_smoothing`). Conditional models train on `(images, labels)`
    batches and generate the same labels.

    Args:
        generator: Model from `build_generator`.
        discriminator: Model from `build_discriminator` (conditional iff the generator is).
        label_smoothing: Amount subtracted from the real targets.
        **kwargs: Standard `keras.Model` arguments.

    Example:

    >>> gan = GAN(build_generator(width=16), build_discriminator(width=16))
    >>> gan.compile(keras.optimizers.Adam(2e-3, 0.5), keras.optimizers.Adam(2e-3, 0.5))
    """

    def __init__(self, generator: keras.Model, discriminator: keras.Model, label_smoothing: float = 0.1, **kwargs):
        super().__init__(**kwargs)
        self.generator = generator
        self.discriminator = discriminator
        self.label_smoothing = float(label_smoothing)
        self.latent_dim, self.conditional = generator_spec(generator)
        if self.conditional != (len(discriminator.inputs) > 1):
            raise ValueError("generator and discriminator must both be conditional or both unconditional")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in METRIC_NAMES}
        self.g_optimizer = self.d_optimizer = None
        self.divergence: str | None = None  # Set by `callbacks.DivergenceGuard` when training blew up.
        self.built = True  # Both networks are built functional models.

    def compile(self, g_optimizer: keras.optimizers.Optimizer, d_optimizer: keras.optimizers.Optimizer, **kwargs):
        """Sets the two optimizers and builds their state (so checkpoints can be restored into it)."""
        super().compile(**kwargs)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        g_optimizer.build(self.generator.trainable_variables)
        d_optimizer.build(self.discriminator.trainable_variables)

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        """Generates images from latents (and labels): the generator's forward pass."""
        return self.generator(inputs, training=training)

    def train_step(self, data):
        real, labels = data if self.conditional else (data, None)
        z = tf.random.normal((tf.shape(real)[0], self.latent_dim))
        g_inputs = [z, labels] if self.conditional else z
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            fake = self.generator(g_inputs, training=True)
            # float32 logits keep the losses exact under a mixed-precision policy.
            real_logits = tf.cast(self.discriminator([real, labels] if self.conditional else real, training=True), tf.float32)
            fake_logits = tf.cast(self.discriminator([fake, labels] if self.conditional else fake, training=True), tf.float32)
            real_loss = _bce(tf.fill(tf.shape(real_logits), 1.0 - self.label_smoothing), real_logits)
            d_loss = real_loss + _bce(tf.zeros_like(fake_logits), fake_logits)
            g_loss = _bce(tf.ones_like(fake_logits), fake_logits)
        d_vars, g_vars = self.discriminator.trainable_variables, self.generator.trainable_variables
        self.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        self.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
        values = {
            "d_loss": d_loss,
            "g_loss": g_loss,
            "d_acc_real": tf.reduce_mean(tf.cast(real_logits > 0, tf.float32)),
            "d_acc_fake": tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32)),
        }
        for name, value in values.items():
            self.trackers[name].update_state(value)
        return {name: tracker.result() for name, tracker in self.trackers.items()}


def _bce(targets, logits):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=targets, logits=logits))


def build_gan(
    hparams: Any = None,
    *,
    width: int = 64,
    learning_rate: float = TRAINING_DEFAULTS["learning_rate"],
    label_smoothing: float = TRAINING_DEFAULTS["label_smoothing"],
    conditional: bool = False,
    jit_compile: bool = False,
) -> GAN:
    """Builds and compiles a GAN for one architecture (Adam, beta_1 = 0.5, for both networks).

    Args:
        hparams: Flat hyperparameter dict or `keras_tuner.HyperParameters` (missing names: the seed's
            defaults); validated against the joint space.
        width: Base filter count of both networks.
        learning_rate: Adam learning rate of both optimizers.
        label_smoothing: One-sided smoothing of the real targets.
        conditional: Build digit-conditional networks.
        jit_compile: Compile the train step with XLA (off by default: it was 4x slower on CPU here).

    Returns:
        A compiled `GAN`.

    Example:

    >>> gan = build_gan({"latent_dim": 100, "activation": "leaky_relu"}, width=16)
    """
    full = SearchSpace.preset("joint").validate(hparams_dict(hparams))
    gan = GAN(
        build_generator(full, width=width, conditional=conditional),
        build_discriminator(full, width=width, conditional=conditional),
        label_smoothing=label_smoothing,
    )
    gan.compile(_adam(learning_rate), _adam(learning_rate), jit_compile=jit_compile)
    return gan


def _adam(learning_rate: float) -> keras.optimizers.Adam:
    return keras.optimizers.Adam(learning_rate=learning_rate, beta_1=0.5)


class GANHyperModel(keras_tuner.HyperModel):
    """The search space as a KerasTuner `HyperModel`: `build(hp)` returns a compiled `GAN`.

    Args:
        space: A `SearchSpace` (default: the `paper` preset).
        width: Base filter count of both networks.
        learning_rate: Adam learning rate.
        label_smoothing: One-sided smoothing of the real targets.
        conditional: Build digit-conditional networks.
        **kwargs: `keras_tuner.HyperModel` arguments (`name`, `tunable`).

    Example:

    >>> tuner = keras_tuner.RandomSearch(GANHyperModel(width=16), objective=..., max_trials=5)
    >>> tuner.search(to_tf_dataset(data.images), epochs=2)
    """

    def __init__(
        self,
        space: SearchSpace | None = None,
        *,
        width: int = 64,
        learning_rate: float = TRAINING_DEFAULTS["learning_rate"],
        label_smoothing: float = TRAINING_DEFAULTS["label_smoothing"],
        conditional: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.space = space or SearchSpace.preset("paper")
        self.gan_kwargs = dict(width=width, learning_rate=learning_rate, label_smoothing=label_smoothing, conditional=conditional)

    def build(self, hp) -> GAN:
        """Registers the space on `hp` and builds the compiled GAN for its current values."""
        self.space.register(hp)
        return build_gan(hp, **self.gan_kwargs)
