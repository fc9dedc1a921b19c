"""Benchmark: seconds to evaluate 20,000 generated samples end to end on this CPU, and the FID step.

Prints (1) the digit classifier's accuracy on the 10% holdout of the real data it did not train on,
(2) wall-clock seconds of `evaluate` for N samples from an untrained full-width generator, cold (reference
statistics computed) and warm (cached), split into sampling the generator and evaluating the samples, and (3) the FID step through TF-GAN (`metrics.frechet_distance`)
against a plain SciPy `sqrtm` FID on the same statistics: both values, both timings and their ratio, for
the classifier's 128-d features and for Inception-sized 2048-d features.

Usage:

    python bench/eval_speed.py [--data ../shared/data/dhcd_digits_train.npz] [--num-samples 20000]
"""

import argparse
import os
import tempfile
import time

import numpy as np
import scipy.linalg

DEFAULT_DATA = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "dhcd_digits_train.npz")


def scipy_fid(stats1, stats2) -> float:
    """The textbook FID with `scipy.linalg.sqrtm` (as in the original TTUR code)."""
    (mu1, s1), (mu2, s2) = stats1, stats2
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2.0 * np.trace(covmean))


def timed(fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    return value, time.perf_counter() - start


def compare_fid(label: str, stats1, stats2) -> None:
    from nepscript_keras import metrics

    fid_tfgan, t_tfgan = timed(metrics.frechet_distance, stats1, stats2)
    fid_scipy, t_scipy = timed(scipy_fid, stats1, stats2)
    print(
        f"FID step {label}: TF-GAN {fid_tfgan:.6f} in {t_tfgan:.3f} s | SciPy sqrtm {fid_scipy:.6f} in {t_scipy:.3f} s"
        f" | relative difference {abs(fid_tfgan - fid_scipy) / abs(fid_scipy):.1e} | time ratio TF-GAN/SciPy {t_tfgan / t_scipy:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--num-samples", type=int, default=20000)
    parser.add_argument("--width", type=int, default=64, help="generator width (64 = the full 1.2M-parameter model)")
    args = parser.parse_args()
    os.environ.setdefault("NEPSCRIPT_KERAS_CACHE", tempfile.mkdtemp(prefix="nepscript_bench_"))

    import keras

    from nepscript_keras import classifier, extractors, metrics
    from nepscript_keras.data import load_digits
    from nepscript_keras.evaluation import evaluate, reference_statistics
    from nepscript_keras.models import build_generator, generate_images

    data = load_digits(args.data)
    _, t_train = timed(classifier.get_classifier, data)
    record = classifier.classifier_record(data)
    print(
        f"classifier: holdout accuracy {record['holdout_accuracy']:.4f} on {record['holdout_size']} held-out digits "
        f"(trained on {record['train_size']}, {record['epochs']} epochs, {record['train_seconds']:.1f} s; this call {t_train:.1f} s)"
    )
    keras.utils.set_random_seed(0)
    generator = build_generator(width=args.width)
    for run in ("cold (computes reference statistics)", "warm (cached reference statistics)"):
        result, seconds = timed(evaluate, generator, data, args.num_samples)
        print(f"evaluate {args.num_samples} samples from the generator, {run}: {seconds:.1f} s  (fid {result['fid']:.2f})")
    samples, seconds = timed(generate_images, generator, args.num_samples)
    print(f"  of which sampling the {generator.count_params():,}-parameter generator: {seconds:.1f} s")
    _, seconds = timed(evaluate, samples, data, args.num_samples)
    print(f"evaluate {args.num_samples} given uint8 samples (no generator), warm: {seconds:.1f} s")

    extractor = extractors.get_extractor("dhcd-classifier", data)
    features, _ = extractor(samples)
    reference = reference_statistics(data, extractor)
    compare_fid("128-d", (reference["mu"], reference["sigma"]), metrics.feature_statistics(features))
    rng = np.random.default_rng(0)
    wide = [rng.normal(size=(4000, 2048)) @ rng.normal(size=(2048, 2048)) / 45.0 for _ in range(2)]
    compare_fid("2048-d", *(metrics.feature_statistics(w) for w in wide))


if __name__ == "__main__":
    main()
