"""Training throughput: the library's `fit()` against a minimal hand-written `tf.function` GAN step.

Both sides train the same architecture (`build_generator`/`build_discriminator`, width 64 by default)
on the same images with the same batch size and the same losses (BCE on logits, one-sided label
smoothing 0.1, Adam 2e-3 / beta_1 0.5). The library side is `training.fit_gan` on a `build_gan` model
(one `fit()` call per epoch, so fit's per-call setup is counted); the baseline is the smallest loop one
would write by hand: pre-scaled float32 tensors, `shuffle().batch().prefetch()`, one `tf.function` step.
After one warm-up epoch each (tracing), the two are timed alternately, epoch by epoch, in this process,
so both see the same machine load; each side's best epoch counts.

Opt-in sections rerun both sides with mixed precision (`--mixed-precision`, bfloat16 compute on CPUs
with AVX512-BF16, float16 on GPUs) and with XLA (`--xla`, `jit_compile=True` on both sides).

The last line printed is `ratio <library images/s / hand-written images/s>` (default configuration).

Usage:

    python bench/train_throughput.py                      # real DHCD if present, else synthetic noise
    python bench/train_throughput.py --images 1000 --repeats 2 --mixed-precision --xla
"""

import argparse
import os
import statistics
import time

import numpy as np

DEFAULT_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "dhcd_digits_train.npz")


def load_images(path: str, images: int):
    """Returns a class-balanced `DigitData` of about `images` digits: DHCD from `path`, else synthetic digits."""
    from nepscript_keras.data import load_npz
    from nepscript_keras.synthetic import make_synthetic

    if os.path.exists(path):
        return load_npz(path).subset(images // 10, seed=0)
    return make_synthetic(per_class=max(1, images // 10), seed=0)


def hand_written_trainer(width: int, batch_size: int, jit_compile: bool):
    """Returns `epoch(images)`: the baseline loop over its own G, D, optimizers and `tf.data` pipeline."""
    import keras
    import tensorflow as tf

    from nepscript_keras.models import build_discriminator, build_generator

    generator, discriminator = build_generator(width=width), build_discriminator(width=width)
    g_opt, d_opt = (keras.optimizers.Adam(2e-3, beta_1=0.5) for _ in range(2))
    latent_dim = generator.inputs[0].shape[-1]
    bce = tf.nn.sigmoid_cross_entropy_with_logits

    @tf.function(jit_compile=jit_compile)
    def step(real):
        z = tf.random.normal((tf.shape(real)[0], latent_dim))
        with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
            real_logits = tf.cast(discriminator(real, training=True), tf.float32)
            fake_logits = tf.cast(discriminator(generator(z, training=True), training=True), tf.float32)
            d_loss = tf.reduce_mean(bce(labels=tf.fill(tf.shape(real_logits), 0.9), logits=real_logits))
            d_loss += tf.reduce_mean(bce(labels=tf.zeros_like(fake_logits), logits=fake_logits))
            g_loss = tf.reduce_mean(bce(labels=tf.ones_like(fake_logits), logits=fake_logits))
        d_vars, g_vars = discriminator.trainable_variables, generator.trainable_variables
        d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
        g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
        return d_loss

    def epoch(data) -> None:
        floats = data.images.astype(np.float32)[..., None] / 127.5 - 1.0
        ds = tf.data.Dataset.from_tensor_slices(floats).shuffle(len(floats)).batch(batch_size, drop_remainder=True)
        for real in ds.prefetch(tf.data.AUTOTUNE):
            loss = step(real)
        float(loss)

    return epoch


def library_trainer(width: int, batch_size: int, jit_compile: bool):
    """Returns `epoch(images)`: one `fit_gan` call (one epoch) on a `build_gan` model."""
    from nepscript_keras.gan import build_gan
    from nepscript_keras.training import fit_gan

    gan = build_gan(width=width, jit_compile=jit_compile)
    return lambda data: fit_gan(gan, data, epochs=1, batch_size=batch_size)


def measure(data, args, *, jit_compile: bool = False) -> dict[str, float]:
    """Returns the best images/s of each side, the median per-round ratio, and CPU-time images/s."""
    sides = {
        "library fit()": library_trainer(args.width, args.batch_size, jit_compile),
        "hand-written tf.function": hand_written_trainer(args.width, args.batch_size, jit_compile),
    }
    images = (len(data) // args.batch_size) * args.batch_size
    for epoch in sides.values():
        epoch(data)  # warm-up: tracing and graph optimisation
    wall, cpu = {name: [] for name in sides}, {name: [] for name in sides}
    for _ in range(args.repeats):
        for name, epoch in sides.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            epoch(data)
            wall[name].append(images / (time.perf_counter() - start_wall))
            cpu[name].append(images / (time.process_time() - start_cpu))
    lib, hand = sides
    return {
        **{f"{name} images/s": max(wall[name]) for name in sides},
        **{f"{name} images/CPU-s": max(cpu[name]) for name in sides},
        "ratio": max(wall[lib]) / max(wall[hand]),
        "median round ratio": statistics.median(a / b for a, b in zip(wall[lib], wall[hand])),
        "cpu ratio": max(cpu[lib]) / max(cpu[hand]),
    }


def report(title: str, result: dict[str, float]) -> None:
    print(f"== {title}")
    for key, value in result.items():
        print(f"  {key:>40}: {value:8.3f}" if "ratio" in key else f"  {key:>40}: {value:8.1f}")


def set_policy(name: str) -> None:
    import keras

    keras.mixed_precision.set_global_policy(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=DEFAULT_DATA, help="DHCD .npz (synthetic noise when the file is absent)")
    parser.add_argument("--images", type=int, default=2000, help="images per timed epoch")
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="timed epochs per side, alternating")
    parser.add_argument("--mixed-precision", action="store_true", help="also measure mixed precision")
    parser.add_argument("--xla", action="store_true", help="also measure jit_compile=True on both sides")
    args = parser.parse_args()

    start = time.perf_counter()
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    data = load_images(args.data, args.images)
    gpu = bool(tf.config.list_physical_devices("GPU"))
    print(f"data: {data.source} ({len(data)} images), width {args.width}, batch {args.batch_size}, "
          f"{args.repeats} timed epochs per side, TF {tf.__version__}, {'GPU' if gpu else 'CPU'}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    default = measure(data, args)
    report("float32, no XLA (default)", default)
    if args.xla:
        report("XLA (jit_compile=True on both sides)", measure(data, args, jit_compile=True))
    if args.mixed_precision:
        policy = "mixed_float16" if gpu else "mixed_bfloat16"
        set_policy(policy)
        try:
            report(f"mixed precision ({policy})", measure(data, args))
        except Exception as e:  # noqa: BLE001  (report, do not hide, a library that cannot train mixed)
            print(f"== mixed precision ({policy}): failed: {type(e).__name__}: {str(e).splitlines()[0]}")
        set_policy("float32")
    print(f"load average after: {os.getloadavg()[0]:.2f}; {time.perf_counter() - start:.0f} s in all")
    print(f"ratio {default['ratio']:.3f}")


if __name__ == "__main__":
    main()
