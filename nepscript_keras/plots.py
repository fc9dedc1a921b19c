"""Comparison plots (matplotlib, Agg backend; every PNG written atomically) and their TensorBoard twins.

Example:

>>> plot_search_curves({"random": [[[2, 90.1], [4, 80.3]]]}, "curves.png", epoch_budget=4)
>>> plot_pareto({"random": [[(120000, 90.1), (80000, 95.0)]]}, "pareto.png")
"""

import os
from typing import Any, Sequence

import numpy as np

from nepscript_keras import io_utils

Curve = Sequence[Sequence[float]]
"""`[[epochs spent, best FID so far], ...]`, one point per completed trial."""


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | os.PathLike) -> str:
    with io_utils.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    _pyplot().close(fig)
    return os.fspath(path)


def plot_search_curves(curves: dict[str, Sequence[Curve]], path: str | os.PathLike, epoch_budget: int | None = None) -> str:
    """Plots best-FID-so-far against training epochs spent, every strategy (and seed) on one chart.

    Args:
        curves: Strategy -> one curve per seed.
        path: Destination `.png`.
        epoch_budget: Draws the shared epoch budget as a vertical line.

    Returns:
        `path`.
    """
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for colour, (name, seed_curves) in zip(_colours(len(curves)), curves.items()):
        for i, curve in enumerate(c for c in seed_curves if c):
            x, y = zip(*curve)
            ax.step(x, y, where="post", marker="o", markersize=3, color=colour, alpha=0.9 if i == 0 else 0.5,
                    label=name if i == 0 else None)
    if epoch_budget:
        ax.axvline(epoch_budget, color="grey", linestyle="--", linewidth=1, label="epoch budget")
    ax.set(xlabel="training epochs spent (supernet included)", ylabel="best FID so far (search)",
           title="Search progress against compute")
    ax.legend()
    fig.tight_layout()
    return _save(fig, path)


def plot_pareto(points: dict[str, Sequence[Sequence[tuple[float, float]]]], path: str | os.PathLike) -> str:
    """Plots every trial's FID against its generator's parameter count, the Pareto front marked.

    Args:
        points: Strategy -> one list of `(generator_params, fid)` per seed.
        path: Destination `.png`.

    Returns:
        `path`.
    """
    from nepscript_keras.comparison import pareto_front

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    everything = []
    for colour, (name, seed_points) in zip(_colours(len(points)), points.items()):
        mine = [tuple(p) for seed in seed_points for p in seed]
        everything += mine
        if mine:
            ax.scatter(*zip(*mine), color=colour, alpha=0.7, label=name)
    front = sorted(everything[i] for i in pareto_front(everything))
    if front:
        ax.step(*zip(*front), where="post", color="black", linewidth=1)
        ax.scatter(*zip(*front), facecolors="none", edgecolors="black", s=120, label="Pareto front")
    ax.set(xscale="log", xlabel="generator parameters", ylabel="FID (search trial)", title="Quality against size")
    ax.legend()
    fig.tight_layout()
    return _save(fig, path)


def plot_sample_grids(samples: dict[str, str | os.PathLike], path: str | os.PathLike) -> str:
    """Puts one sample grid PNG per strategy side by side, titled with the strategy name.

    Args:
        samples: Strategy -> path of its grid (e.g. the final model's `samples.png`).
        path: Destination `.png`.

    Returns:
        `path`.
    """
    from PIL import Image

    plt = _pyplot()
    fig, axes = plt.subplots(1, len(samples), figsize=(3.2 * len(samples), 3.6), squeeze=False)
    for ax, (name, grid_path) in zip(axes[0], samples.items()):
        with Image.open(grid_path) as image:
            ax.imshow(np.asarray(image.convert("L")), cmap="gray", vmin=0, vmax=255)
        ax.set_title(name)
        ax.axis("off")
    fig.tight_layout()
    return _save(fig, path)


def write_tensorboard(runs: Sequence[dict[str, Any]], log_dir: str | os.PathLike, samples_root: str | os.PathLike = ".") -> str:
    """Writes the search curves and final metrics of each (strategy, seed) run to TensorBoard.

    One run folder per `<strategy>_seed<s>`: scalar `search/best_fid_so_far` with the training epochs
    spent as the step, `final/<metric>` at step 0, and the final samples as image `final/samples`.
    The folder is rewritten on every call, so a resumed comparison does not duplicate points.

    Args:
        runs: `finished.json` records (`strategy`, `seed`, `curve`, metric keys, `samples` path).
        log_dir: Root folder (`tensorboard --logdir` it).
        samples_root: Folder the records' `samples` paths are relative to.

    Returns:
        `log_dir`.
    """
    import shutil

    import tensorflow as tf
    from PIL import Image

    from nepscript_keras.comparison import QUALITY

    log_dir = os.fspath(log_dir)
    shutil.rmtree(log_dir, ignore_errors=True)
    for run in runs:
        with tf.summary.create_file_writer(os.path.join(log_dir, f"{run['strategy']}_seed{run['seed']}")).as_default():
            for epochs, fid in run["curve"]:
                tf.summary.scalar("search/best_fid_so_far", fid, step=int(epochs))
            for name in QUALITY:
                tf.summary.scalar(f"final/{name}", run[name], step=0)
            with Image.open(os.path.join(samples_root, run["samples"])) as image:
                grid = np.asarray(image.convert("L"), dtype=np.uint8)
            tf.summary.image("final/samples", grid[None, :, :, None], step=0)
    return log_dir


def _colours(n: int) -> list:
    plt = _pyplot()
    return [plt.get_cmap("tab10")(i % 10) for i in range(n)]
