"""Throughput of `GAN.fit` (images/s) against a hand-written `tf.function` loop doing the same step.

Usage:
    python bench/bench_gan_step.py --data ../shared/data/dhcd_digits_train.npz --images 2000 --width 64

Each configuration is timed `--repeats` times, alternating, over one full epoch after a warm-up epoch
(so tracing is excluded); the best epoch of each is reported, by wall clock and by this process's CPU
time (the fairer comparison when other jobs share the cores). Target: fit within 10% of the loop.
"""

import argparse
import time

import keras
import tensorflow as tf

from nepscript_keras.data import load_npz, to_tf_dataset
from nepscript_keras.gan import build_gan


def hand_written_epoch(gan, dataset) -> None:
    """One epoch of the same fused D/G step as `GAN.train_step`, without `fit`."""
    step = getattr(gan, "_bench_step", None)
    if step is None:
        bce = tf.nn.sigmoid_cross_entropy_with_logits

        @tf.function
        def step(real):
            z = tf.random.normal((tf.shape(real)[0], gan.latent_dim))
            with tf.GradientTape() as g_tape, tf.GradientTape() as d_tape:
                fake = gan.generator(z, training=True)
                real_logits = gan.discriminator(real, training=True)
                fake_logits = gan.discriminator(fake, training=True)
                d_loss = tf.reduce_mean(bce(labels=tf.fill(tf.shape(real_logits), 0.9), logits=real_logits)) + tf.reduce_mean(
                    bce(labels=tf.zeros_like(fake_logits), logits=fake_logits))
                g_loss = tf.reduce_mean(bce(labels=tf.ones_like(fake_logits), logits=fake_logits))
            d_vars, g_vars = gan.discriminator.trainable_variables, gan.generator.trainable_variables
            gan.d_optimizer.apply_gradients(zip(d_tape.gradient(d_loss, d_vars), d_vars))
            gan.g_optimizer.apply_gradients(zip(g_tape.gradient(g_loss, g_vars), g_vars))
            return d_loss, g_loss

        gan._bench_step = step
    for real in dataset:
        losses = step(real)
    float(losses[0])


def fit_epoch(gan, dataset) -> None:
    gan.fit(dataset, epochs=1, verbose=0, shuffle=False)


def timed(run, gan, dataset, images: int) -> tuple[float, float]:
    """Returns (images per wall second, images per CPU second of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    run(gan, dataset)
    return images / (time.perf_counter() - wall), images / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True)
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--width", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    data = load_npz(args.data).subset(args.images // 10, seed=0)
    dataset = to_tf_dataset(data.images, batch_size=args.batch_size, seed=0)
    images = (len(data) // args.batch_size) * args.batch_size
    runs = {"fit": fit_epoch, "tf.function loop": hand_written_epoch}
    gans = {name: build_gan(width=args.width) for name in runs}
    print(f"{images} images/epoch, width {args.width} (G {gans['fit'].generator.count_params():,} params, "
          f"D {gans['fit'].discriminator.count_params():,}), batch {args.batch_size}")
    best = {name: (0.0, 0.0) for name in runs}
    for name, run in runs.items():
        run(gans[name], dataset)  # Warm-up: tracing.
    for _ in range(args.repeats):
        for name, run in runs.items():
            best[name] = tuple(map(max, best[name], timed(run, gans[name], dataset, images)))
    for name, (wall, cpu) in best.items():
        print(f"{name:>18}: {wall:7.1f} images/s wall, {cpu:7.1f} images per CPU-second")
    ratio = [f / loop for f, loop in zip(best["fit"], best["tf.function loop"])]
    print(f"fit / loop = {ratio[0]:.3f} (wall), {ratio[1]:.3f} (CPU; fairer on a shared machine)")


if __name__ == "__main__":
    main()
