"""Gradient-based architecture search after AdversarialNAS (Gao et al., arXiv:1912.02037).

Every searched choice of the generator (and, in the `joint` space, of the discriminator) becomes a
softmax-weighted mixture of the candidate operations, with ONE architecture-logit vector per search
dimension shared by the whole network, so the derived architecture maps 1:1 onto the discrete space.
Generator architecture logits descend the generator loss, discriminator architecture logits descend
the discriminator loss, alternating with the network weights.

Example:

>>> result = search_architecture(data, space="paper", epochs=3, width=32)
>>> result["best"]  # complete hyperparameters: the argmax of each dimension, fixed names at the seed's
{'latent_dim': 64, 'norm_type': 'batch', 'activation': 'relu', 'dropout_rate': 0.0, 'use_residual': True, ...}
>>> [c["weight"] for c in result["candidates"]]  # argmax first, then runners-up by product of weights
"""

import itertools
import math
import time

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from nepscript_keras.data import DigitData, to_tf_dataset
from nepscript_keras.errors import ConfigError, TrainingDivergedError
from nepscript_keras.layers import activation_layer, normalization
from nepscript_keras.models import build_discriminator
from nepscript_keras.search_space import ALL_DIMENSIONS, DISCRIMINATOR_DIMENSIONS, GENERATOR_DIMENSIONS, SearchSpace

MAX_LATENT = max(GENERATOR_DIMENSIONS["latent_dim"])


class ArchitectureLogits(keras.layers.Layer):
    """One trainable logit vector per search dimension; `probabilities()` gives their softmax.

    Args:
        choices: Mapping of dimension name to its list of candidate values.
        **kwargs: Standard layer arguments.

    Example:

    >>> logits = ArchitectureLogits({"activation": ["relu", "leaky_relu"]})
    >>> logits.probabilities()["activation"]  # [0.5, 0.5] at initialisation
    """

    def __init__(self, choices: dict, **kwargs):
        super().__init__(**kwargs)
        self.choices = {name: list(values) for name, values in choices.items()}
        self.logits = {
            name: self.add_weight(shape=(len(values),), initializer="zeros", name=name)
            for name, values in self.choices.items()
        }

    def probabilities(self) -> dict:
        """Returns the softmax of each dimension's logits, keyed by dimension name."""
        return {name: ops.softmax(logit) for name, logit in self.logits.items()}


class MixedNormalization(keras.layers.Layer):
    """Mixture Σ p_i norm_i(x) over the `norm_type` choices (batch, instance), in their order.

    Example:

    >>> y = MixedNormalization()(x, keras.ops.array([0.5, 0.5]), training=True)
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norms = [normalization(choice) for choice in GENERATOR_DIMENSIONS["norm_type"]]

    def build(self, input_shape):
        for norm in self.norms:
            norm.build(input_shape)

    def call(self, inputs, weights, training=None):
        return sum(weights[i] * norm(inputs, training=training) for i, norm in enumerate(self.norms))


class MixedActivation(keras.layers.Layer):
    """Mixture Σ p_i act_i(x) over the `activation` choices (relu, leaky_relu), in their order."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.activations = [activation_layer(choice) for choice in GENERATOR_DIMENSIONS["activation"]]

    def call(self, inputs, weights):
        return sum(weights[i] * act(inputs) for i, act in enumerate(self.activations))


class MixedDropout(keras.layers.Layer):
    """Mixture Σ p_i dropout(x, rate_i) over candidate rates; the identity at inference.

    Args:
        rates: Candidate dropout rates, in the order of the mixture weights.
        seed: Seed of the dropout masks.
        **kwargs: Standard layer arguments.
    """

    def __init__(self, rates, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rates = [float(rate) for rate in rates]
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, weights, training=None):
        if not training:
            return inputs
        outputs = [
            inputs if rate == 0.0 else keras.random.dropout(inputs, rate, seed=self.seed_generator)
            for rate in self.rates
        ]
        return sum(weights[i] * out for i, out in enumerate(outputs))


class MixedConvUnit(keras.layers.Layer):
    """Conv2D (no bias) -> mixed normalisation -> mixed activation.

    Args:
        filters: Output channels.
        kernel_size: Convolution kernel size.
        strides: Convolution strides.
        activate: Apply the mixed activation after the normalisation.
        **kwargs: Standard layer arguments.
    """

    def __init__(self, filters: int, kernel_size: int, strides: int = 1, activate: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.conv = keras.layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False)
        self.norm = MixedNormalization()
        self.activation = MixedActivation() if activate else None

    def call(self, inputs, norm, activation, training=None):
        x = self.norm(self.conv(inputs), norm, training=training)
        return x if self.activation is None else self.activation(x, activation)


class MixedResidualBlock(keras.layers.Layer):
    """Residual gate x + p_on * (Conv3x3-norm-act-Conv3x3-norm)(x), with mixed norm and activation.

    Args:
        filters: Channels of `x` (kept by the block).
        **kwargs: Standard layer arguments.
    """

    def __init__(self, filters: int, **kwargs):
        super().__init__(**kwargs)
        self.unit1 = MixedConvUnit(filters, 3)
        self.unit2 = MixedConvUnit(filters, 3, activate=False)

    def call(self, inputs, norm, activation, residual, training=None):
        y = self.unit1(inputs, norm, activation, training=training)
        y = self.unit2(y, norm, activation, training=training)
        return inputs + residual[1] * y


class _MixedStage(keras.layers.Layer):
    """Conv unit -> mixed dropout [-> gated residual block], reading the shared probability dict.

    `keys` names the (norm, activation, dropout, residual) dimensions; residual None means no block.
    """

    def __init__(self, unit: MixedConvUnit, rates, keys: tuple, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.unit = unit
        self.dropout = MixedDropout(rates, seed=seed)
        self.keys = keys
        self.residual = None if keys[3] is None else MixedResidualBlock(unit.conv.filters)

    def call(self, inputs, probs, training=None):
        norm, activation, dropout = (probs[key] for key in self.keys[:3])
        x = self.dropout(self.unit(inputs, norm, activation, training=training), dropout, training=training)
        if self.residual is None:
            return x
        return self.residual(x, norm, activation, probs[self.keys[3]], training=training)


class _Supernet(keras.Model):
    """Shared plumbing: architecture logits kept apart from the network weights."""

    def __init__(self, choices: dict, **kwargs):
        super().__init__(**kwargs)
        self.architecture = ArchitectureLogits(choices, name="architecture")

    @property
    def arch_variables(self) -> list:
        """The architecture logits (one vector per search dimension)."""
        return list(self.architecture.logits.values())

    @property
    def network_variables(self) -> list:
        """The trainable network weights (everything except the architecture logits)."""
        arch = {id(v) for v in self.arch_variables}
        return [v for v in self.trainable_variables if id(v) not in arch]

    def build(self, input_shape):
        self.call(ops.zeros((1, *input_shape[1:])), training=False)


class GeneratorSupernet(_Supernet):
    """Generator whose norm, activation, dropout, residual gate and latent size are softmax mixtures.

    Same block layout as `build_generator`: Dense(4*4*4w) -> norm -> act -> three up-blocks (2w, w,
    w/2), each UpSampling2D-Conv3x3-norm-act-dropout plus a gated residual block -> Conv3x3(1) -> tanh.
    Input: a 200-d latent z, multiplied by Σ_k p_k mask_k where mask_k keeps the first k dims.

    Args:
        width: Base filter count.
        seed: Seed of the dropout masks.
        **kwargs: Standard model arguments.

    Example:

    >>> g = GeneratorSupernet(width=8)
    >>> g(keras.random.normal((4, 200))).shape
    (4, 32, 32, 1)
    """

    KEYS = ("norm_type", "activation", "dropout_rate", "use_residual")

    def __init__(self, width: int = 64, seed=None, **kwargs):
        super().__init__(GENERATOR_DIMENSIONS, name="generator_supernet", **kwargs)
        self.width = width
        self.dense = keras.layers.Dense(4 * 4 * 4 * width, use_bias=False)
        self.reshape = keras.layers.Reshape((4, 4, 4 * width))
        self.norm = MixedNormalization()
        self.activation = MixedActivation()
        self.upsample = keras.layers.UpSampling2D(2)
        self.stages = [
            _MixedStage(MixedConvUnit(filters, 3), GENERATOR_DIMENSIONS["dropout_rate"], self.KEYS, seed)
            for filters in (2 * width, width, max(width // 2, 1))
        ]
        self.to_image = keras.layers.Conv2D(1, 3, padding="same", activation="tanh")
        masks = np.arange(MAX_LATENT)[None, :] < np.array(GENERATOR_DIMENSIONS["latent_dim"])[:, None]
        self.latent_masks = masks.astype("float32")

    def call(self, z, training=None):
        probs = self.architecture.probabilities()
        mask = ops.matmul(ops.expand_dims(probs["latent_dim"], 0), self.latent_masks)
        x = self.reshape(self.dense(z * mask))
        x = self.activation(self.norm(x, probs["norm_type"], training=training), probs["activation"])
        for stage in self.stages:
            x = stage(self.upsample(x), probs, training=training)
        return self.to_image(x)


class DiscriminatorSupernet(_Supernet):
    """Discriminator whose norm, activation, dropout and residual gate are softmax mixtures (`d_*` logits).

    Same block layout as `build_discriminator`: Conv4x4 s2 (w) -> act -> Conv4x4 s2 (2w) -> norm -> act
    -> dropout -> gated residual block -> Conv4x4 s2 (4w) -> norm -> act -> dropout -> Dense(1) logit.

    Args:
        width: Base filter count.
        seed: Seed of the dropout masks.
        **kwargs: Standard model arguments.

    Example:

    >>> d = DiscriminatorSupernet(width=8)
    >>> d(keras.ops.zeros((2, 32, 32, 1))).shape
    (2, 1)
    """

    KEYS = ("d_norm_type", "d_activation", "d_dropout_rate", "d_use_residual")

    def __init__(self, width: int = 64, seed=None, **kwargs):
        super().__init__(DISCRIMINATOR_DIMENSIONS, name="discriminator_supernet", **kwargs)
        rates = DISCRIMINATOR_DIMENSIONS["d_dropout_rate"]
        self.conv = keras.layers.Conv2D(width, 4, strides=2, padding="same")
        self.activation = MixedActivation()
        self.stage2 = _MixedStage(MixedConvUnit(2 * width, 4, strides=2), rates, self.KEYS, seed)
        self.stage3 = _MixedStage(MixedConvUnit(4 * width, 4, strides=2), rates, self.KEYS[:3] + (None,), seed)
        self.flatten = keras.layers.Flatten()
        self.logit = keras.layers.Dense(1)

    def call(self, images, training=None):
        probs = self.architecture.probabilities()
        x = self.activation(self.conv(images), probs["d_activation"])
        x = self.stage2(x, probs, training=training)
        return self.logit(self.flatten(self.stage3(x, probs, training=training)))


class SupernetSearch:
    """Alternating AdversarialNAS search: network weights and architecture logits of G and D.

    Each batch: (a) discriminator weights descend the D loss, (b) generator weights descend the G
    loss, (c) generator logits descend the G loss, (d) discriminator logits (`joint` space only)
    descend the D loss on a batch from the held-out architecture split. Steps run as one `tf.function`.

    Args:
        space: `"paper"` (discriminator fixed at the seed's, a plain `build_discriminator` model) or
            `"joint"` (a `DiscriminatorSupernet` with its own `d_*` logits).
        width: Base filter count of both networks.
        learning_rate: Adam learning rate of the network weights (beta_1 = 0.5).
        arch_learning_rate: Adam learning rate of the architecture logits (3e-4 as in DARTS).
        label_smoothing: Real targets are `1 - label_smoothing` in the discriminator loss.
        seed: Seed of initial weights (sets the global Keras seed), latents and dropout masks.

    Example:

    >>> search = SupernetSearch("joint", width=16)
    >>> search.fit(data, epochs=2)
    >>> search.probabilities()["norm_type"]
    [0.49, 0.51]
    """

    def __init__(self, space: str = "paper", *, width: int = 64, learning_rate: float = 0.002,
                 arch_learning_rate: float = 3e-4, label_smoothing: float = 0.1, seed: int = 0):
        self.space = SearchSpace.preset(space)
        keras.utils.set_random_seed(seed)
        self.generator = GeneratorSupernet(width, seed=seed)
        self.generator.build((None, MAX_LATENT))
        if space == "joint":
            self.discriminator = DiscriminatorSupernet(width, seed=seed)
            self.discriminator.build((None, 32, 32, 1))
        else:
            self.discriminator = build_discriminator(self.space.defaults(), width=width)
        self.label_smoothing = label_smoothing
        self.noise_seed = keras.random.SeedGenerator(seed)
        self._updates = [
            (self._d_loss_weights, self._weight_variables(self.discriminator), learning_rate),
            (self._g_loss, self.generator.network_variables, learning_rate),
            (self._g_loss, self.generator.arch_variables, arch_learning_rate),
        ]
        if space == "joint":
            self._updates.append((self._d_loss_arch, self.discriminator.arch_variables, arch_learning_rate))
        self._optimizers = [_adam(lr, variables) for _, variables, lr in self._updates]
        self.train_step = tf.function(self._train_step)

    @staticmethod
    def _weight_variables(model) -> list:
        return model.network_variables if isinstance(model, _Supernet) else model.trainable_variables

    def _train_step(self, real, real_arch):
        losses = []
        for (loss_fn, variables, _), optimizer in zip(self._updates, self._optimizers):
            with tf.GradientTape() as tape:
                loss = loss_fn(real, real_arch)
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
            losses.append(loss)
        return losses[0], losses[1]

    def _noise(self, n):
        return keras.random.normal((n, MAX_LATENT), seed=self.noise_seed)

    def _d_loss(self, real):
        fake = self.generator(self._noise(ops.shape(real)[0]), training=True)
        real_logits = self.discriminator(real, training=True)
        fake_logits = self.discriminator(fake, training=True)
        real_loss = _bce(ops.full_like(real_logits, 1.0 - self.label_smoothing), real_logits)
        return real_loss + _bce(ops.zeros_like(fake_logits), fake_logits)

    def _d_loss_weights(self, real, real_arch):
        return self._d_loss(real)

    def _d_loss_arch(self, real, real_arch):
        return self._d_loss(real_arch)

    def _g_loss(self, real, real_arch):
        fake_logits = self.discriminator(self.generator(self._noise(ops.shape(real)[0]), training=True), training=True)
        return _bce(ops.ones_like(fake_logits), fake_logits)

    def choices(self) -> dict:
        """The candidate values of every searched dimension, in logit order."""
        return {name: list(values) for name, values in self.space.dimensions.items()}

    def probabilities(self) -> dict:
        """Current softmax architecture weights per searched dimension (lists of floats)."""
        probs = self.generator.architecture.probabilities()
        if isinstance(self.discriminator, _Supernet):
            probs.update(self.discriminator.architecture.probabilities())
        return {name: [float(p) for p in ops.convert_to_numpy(probs[name])] for name in self.space.dimensions}

    def fit(self, data: DigitData, *, epochs: int, batch_size: int = 32, arch_fraction: float = 0.5,
            seed: int = 0, log_dir=None, verbose: int = 0) -> dict:
        """Runs the alternating search for `epochs` passes over the weight split of `data`.

        Args:
            data: Real digits; `arch_fraction` of each class is held out for the architecture steps.
            epochs: Passes over the weight split.
            batch_size: Images per batch (both splits).
            arch_fraction: Share of `data` held out for the discriminator-logit steps.
            seed: Split and shuffle seed.
            log_dir: TensorBoard folder for loss and architecture-weight scalars (None: no logs).
            verbose: 1 prints one line per epoch.

        Returns:
            A history dict: `trajectory` (per dimension, the probabilities before training and after
            each epoch), `d_loss`/`g_loss` (epoch means) and `epoch_seconds`.

        Raises:
            ConfigError: if a split holds fewer than `batch_size` images.
            TrainingDivergedError: if a loss becomes NaN or infinite.
        """
        dataset = _paired_dataset(data, batch_size, arch_fraction, seed)
        writer = tf.summary.create_file_writer(str(log_dir)) if log_dir else None
        initial = self.probabilities()
        history = {"trajectory": {k: [v] for k, v in initial.items()}, "d_loss": [], "g_loss": [], "epoch_seconds": []}
        _log_probabilities(writer, initial, 0)
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            d_loss, g_loss = self._run_epoch(dataset, epoch)
            self._record(history, writer, epoch, d_loss, g_loss, time.perf_counter() - start)
            if verbose:
                print(f"supernet epoch {epoch}/{epochs}: d_loss={d_loss:.4f} g_loss={g_loss:.4f} "
                      f"({history['epoch_seconds'][-1]:.1f}s)", flush=True)
        return history

    def _run_epoch(self, dataset, epoch: int) -> tuple[float, float]:
        totals = np.zeros(2)
        batches = 0
        for real, real_arch in dataset:
            totals += [float(loss) for loss in self.train_step(real, real_arch)]
            batches += 1
        d_loss, g_loss = totals / max(batches, 1)
        if not (math.isfinite(d_loss) and math.isfinite(g_loss)):
            raise TrainingDivergedError(f"supernet diverged at epoch {epoch}: d_loss={d_loss} g_loss={g_loss}; "
                                        "lower the learning rate or change the seed")
        return float(d_loss), float(g_loss)

    def _record(self, history, writer, epoch, d_loss, g_loss, seconds) -> None:
        probs = self.probabilities()
        for name, values in probs.items():
            history["trajectory"][name].append(values)
        history["d_loss"].append(d_loss)
        history["g_loss"].append(g_loss)
        history["epoch_seconds"].append(seconds)
        _log_probabilities(writer, probs, epoch)
        if writer is not None:
            with writer.as_default():
                tf.summary.scalar("supernet/d_loss", d_loss, step=epoch)
                tf.summary.scalar("supernet/g_loss", g_loss, step=epoch)
            writer.flush()


def _adam(learning_rate: float, variables: list) -> keras.optimizers.Optimizer:
    optimizer = keras.optimizers.Adam(learning_rate, beta_1=0.5)
    optimizer.build(variables)
    return optimizer


def _bce(targets, logits):
    return ops.mean(keras.losses.binary_crossentropy(targets, logits, from_logits=True))


def _paired_dataset(data: DigitData, batch_size: int, arch_fraction: float, seed: int):
    """Zips weight-split batches with (repeated) architecture-split batches."""
    weights, arch = data.split_holdout(arch_fraction, seed=seed)
    if min(len(weights), len(arch)) < batch_size:
        raise ConfigError(f"supernet search needs at least {batch_size} images in each split "
                          f"(got {len(weights)} + {len(arch)}); pass more data or a smaller batch size")
    weight_batches = to_tf_dataset(weights.images, batch_size=batch_size, seed=seed)
    arch_batches = to_tf_dataset(arch.images, batch_size=batch_size, seed=seed + 1).repeat()
    return tf.data.Dataset.zip((weight_batches, arch_batches))


def _log_probabilities(writer, probabilities: dict, step: int) -> None:
    if writer is None:
        return
    with writer.as_default():
        for name, values in probabilities.items():
            for choice, p in zip(ALL_DIMENSIONS[name], values):
                tf.summary.scalar(f"architecture/{name}/{choice}", p, step=step)
    writer.flush()


def derive_architectures(probabilities: dict, space: str = "paper", top_k: int = 5) -> list[dict]:
    """Ranks the discrete architectures by the product of their choices' architecture weights.

    The first entry is the argmax architecture (the product is maximised by each dimension's argmax).

    Args:
        probabilities: Per searched dimension, the weights of its choices (`SupernetSearch.probabilities()`).
        space: The search space the weights belong to.
        top_k: Number of distinct architectures to return.

    Returns:
        Up to `top_k` dicts `{"hparams": complete validated hyperparameters, "weight": product}`, best first.

    Example:

    >>> derive_architectures(search.probabilities(), "paper", top_k=3)[0]["hparams"]["latent_dim"]
    128
    """
    search_space = SearchSpace.preset(space)
    names = list(probabilities)
    ranked = sorted(
        itertools.product(*(range(len(probabilities[name])) for name in names)),
        key=lambda index: -math.prod(probabilities[n][i] for n, i in zip(names, index)),
    )
    return [
        {"hparams": search_space.validate({n: search_space.dimensions[n][i] for n, i in zip(names, index)}),
         "weight": math.prod(probabilities[n][i] for n, i in zip(names, index))}
        for index in ranked[:top_k]
    ]


def search_architecture(data: DigitData, *, space: str = "paper", epochs: int = 5, width: int = 64,
                        batch_size: int = 32, seed: int = 0, log_dir=None, top_k: int = 5,
                        learning_rate: float = 0.002, arch_learning_rate: float = 3e-4,
                        label_smoothing: float = 0.1, arch_fraction: float = 0.5, verbose: int = 0) -> dict:
    """Runs the AdversarialNAS supernet search and derives the best discrete architectures.

    Args:
        data: Real digits (`arch_fraction` of them held out for the discriminator-logit steps).
        space: `"paper"` or `"joint"`.
        epochs: Supernet epochs (passes over the weight split).
        width: Base filter count.
        batch_size: Images per batch.
        seed: Seed of weights, latents, dropout, split and shuffling.
        log_dir: TensorBoard folder for the architecture-weight trajectories (None: no logs).
        top_k: Number of architectures to derive (argmax first, then runners-up by weight).
        learning_rate: Network-weight learning rate.
        arch_learning_rate: Architecture-logit learning rate.
        label_smoothing: One-sided label smoothing of the discriminator's real targets.
        arch_fraction: Share of the data held out for the architecture steps.
        verbose: 1 prints one line per epoch.

    Returns:
        A JSON-serialisable dict: `best` (argmax hyperparameters), `candidates` (list of `{"hparams",
        "weight"}`), `probabilities`, `choices`, `trajectory`, `d_loss`, `g_loss`, `epoch_seconds`,
        `seconds` (wall time including set-up), `epochs`, `space`, `width`, `batch_size`, `num_images`, `seed`.

    Example:

    >>> result = search_architecture(load_digits("dhcd_digits_train.npz").subset(200), epochs=3, width=32)
    >>> result["best"]["norm_type"], result["seconds"]
    ('batch', 41.2)
    """
    start = time.perf_counter()
    search = SupernetSearch(space, width=width, learning_rate=learning_rate, arch_learning_rate=arch_learning_rate,
                            label_smoothing=label_smoothing, seed=seed)
    history = search.fit(data, epochs=epochs, batch_size=batch_size, arch_fraction=arch_fraction, seed=seed,
                         log_dir=log_dir, verbose=verbose)
    probabilities = search.probabilities()
    candidates = derive_architectures(probabilities, space, top_k)
    return {
        "best": candidates[0]["hparams"], "candidates": candidates, "probabilities": probabilities,
        "choices": search.choices(), **history, "seconds": time.perf_counter() - start, "epochs": epochs,
        "space": space, "width": width, "batch_size": batch_size, "num_images": len(data), "seed": seed,
    }
