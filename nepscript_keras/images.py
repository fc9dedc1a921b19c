"""Conversions between the library's image formats, and sample grids.

Two formats exist: uint8 arrays (N, 32, 32), white strokes on black (the data format, and what
`generate` writes), and float arrays (N, 32, 32, 1) in [-1, 1] (what the models consume and produce).
"""

import os

import numpy as np

from nepscript_keras import io_utils


def to_float(images: np.ndarray) -> np.ndarray:
    """Converts uint8 images (N, 32, 32) to float32 (N, 32, 32, 1) in [-1, 1]."""
    return (np.asarray(images, dtype=np.float32)[..., None] / 127.5) - 1.0


def to_uint8(images) -> np.ndarray:
    """Converts model output in [-1, 1], shape (N, H, W[, 1]), to uint8 (N, H, W)."""
    x = np.asarray(images, dtype=np.float32)
    if x.ndim == 4:
        x = x[..., 0]
    return np.clip(np.rint((x + 1.0) * 127.5), 0, 255).astype(np.uint8)


def image_grid(images: np.ndarray, ncols: int = 10, padding: int = 2) -> np.ndarray:
    """Tiles uint8 images (N, H, W) into one uint8 image, row-major, with a gray border.

    Args:
        images: uint8 array (N, H, W).
        ncols: Images per row.
        padding: Pixels between images.

    Returns:
        A uint8 array (rows * (H + padding) + padding, ncols * (W + padding) + padding).
    """
    images = np.asarray(images)
    n, h, w = images.shape
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    grid = np.full((nrows * (h + padding) + padding, ncols * (w + padding) + padding), 64, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        top, left = padding + r * (h + padding), padding + c * (w + padding)
        grid[top : top + h, left : left + w] = image
    return grid


def save_grid(images: np.ndarray, path: str | os.PathLike, ncols: int = 10, scale: int = 2) -> str:
    """Writes uint8 images (N, H, W) as one PNG grid, upscaled `scale` times for viewing.

    Args:
        images: uint8 array (N, H, W).
        path: Destination `.png` file (written atomically).
        ncols: Images per row.
        scale: Integer upscaling factor (nearest neighbour).

    Returns:
        The path written.

    Example:

    >>> save_grid(to_uint8(generator(z)), "samples.png")
    """
    from PIL import Image

    grid = image_grid(images, ncols=ncols)
    if scale > 1:
        grid = np.kron(grid, np.ones((scale, scale), np.uint8))
    with io_utils.atomic_path(path) as tmp:
        Image.fromarray(grid).save(tmp, format="PNG")
    return os.fspath(path)
