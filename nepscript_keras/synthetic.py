"""Offline synthetic Devanagari digits rendered from Noto Sans Devanagari.

The digits ० … ९ are drawn with the variable Noto Sans Devanagari font (random weight and width), then
warped one by one with a random affine map (rotation, shear, scale, shift) and a smooth elastic field,
and sampled into a 32x32 box with a 2-pixel black border, white on black, like DHCD. The result is
seeded, reproducible and class-balanced. It is a stand-in for machines with no DHCD copy: its
statistics differ from handwriting, so metrics on it are not comparable to DHCD.
"""

import functools
import os

import numpy as np

from nepscript_keras.data import DEVANAGARI_DIGITS, IMAGE_SIZE, NUM_CLASSES, DigitData
from nepscript_keras.errors import DataError

CANVAS = 64  # high-resolution glyph canvas (2x the output size)
GLYPH_BOX = 48  # every glyph is stretched to fill a 48x48 box on the canvas (24x24 output pixels)
BORDER = 2  # black border of DHCD images
WEIGHTS = (100, 175, 250, 325, 400, 500)
WIDTHS = (75.0, 87.5, 100.0)
SPLIT_STREAMS = {"train": 0, "test": 1}


def font_path() -> str:
    """Returns the path of the variable Noto Sans Devanagari TTF shipped by `fontpkg-noto-sans-devanagari`."""
    import fontpkg_noto_sans_devanagari

    return os.fspath(fontpkg_noto_sans_devanagari.ROOT / "files" / "NotoSansDevanagari[wdth,wght].ttf")


def make_synthetic(per_class: int = 1000, seed: int = 0, split: str = "train") -> DigitData:
    """Renders a class-balanced set of synthetic Devanagari digits.

    Args:
        per_class: Images per digit (the default, 1000, gives 10,000 images in a few seconds).
        seed: Random seed; the same seed and split always give identical arrays.
        split: `"train"` or `"test"`; each split draws from its own random stream.

    Returns:
        A `DigitData` sorted by label, source `"synthetic (Noto Sans Devanagari, seed S)"`.

    Example:

    >>> data = make_synthetic(per_class=100, seed=0)
    >>> data.class_counts()
    array([100, 100, 100, 100, 100, 100, 100, 100, 100, 100])
    """
    if split not in SPLIT_STREAMS:
        raise DataError(f"synthetic: unknown split {split!r}; use 'train' or 'test'")
    if per_class < 1:
        raise DataError(f"synthetic: per_class must be at least 1, got {per_class}")
    rng = np.random.default_rng([seed, SPLIT_STREAMS[split]])
    labels = np.repeat(np.arange(NUM_CLASSES, dtype=np.int64), per_class)
    variants = rng.integers(0, len(WEIGHTS) * len(WIDTHS), size=labels.size)
    images = warp_glyphs(glyph_bank(), variants * NUM_CLASSES + labels, rng)
    return DigitData(images, labels, f"synthetic (Noto Sans Devanagari, seed {seed})", split)


@functools.lru_cache(maxsize=1)
def glyph_bank() -> np.ndarray:
    """Returns every digit in every weight/width variant: float32 (variants * 10, 64, 64) in [0, 1].

    Entry `v * 10 + d` is digit `d` in variant `v` (weights outer, widths inner).
    """
    from PIL import ImageFont

    font = ImageFont.truetype(font_path(), 80, layout_engine=ImageFont.Layout.BASIC)
    names = [axis["name"] for axis in font.get_variation_axes()]
    glyphs = []
    for weight in WEIGHTS:
        for width in WIDTHS:
            font.set_variation_by_axes([weight if name == b"Weight" else width for name in names])
            glyphs.extend(_centered_glyph(font, char) for char in DEVANAGARI_DIGITS)
    bank = np.stack(glyphs).astype(np.float32) / 255.0
    # Soften edges so sampling at half resolution is anti-aliased like the scanned digits.
    from scipy import ndimage

    return ndimage.gaussian_filter(bank, sigma=(0, 0.6, 0.6))


def _centered_glyph(font, char: str) -> np.ndarray:
    """Draws `char`, crops its ink and stretches it over the centred `GLYPH_BOX` square of the canvas.

    Handwritten DHCD digits fill their box in both directions, while the font's digits are narrow; the
    random affine map later picks each image's own height and width.
    """
    from PIL import Image, ImageDraw

    image = Image.new("L", (160, 160))
    ImageDraw.Draw(image).text((20, 10), char, fill=255, font=font)
    glyph = image.crop(image.getbbox()).resize((GLYPH_BOX, GLYPH_BOX), Image.Resampling.LANCZOS)
    canvas = Image.new("L", (CANVAS, CANVAS))
    canvas.paste(glyph, ((CANVAS - GLYPH_BOX) // 2,) * 2)
    return np.asarray(canvas)


def warp_glyphs(bank: np.ndarray, index: np.ndarray, rng: np.random.Generator, chunk: int = 2000) -> np.ndarray:
    """Samples `bank[index]` through random affine + elastic maps into uint8 (N, 32, 32) images."""
    from scipy import ndimage

    out = np.empty((index.size, IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    for start in range(0, index.size, chunk):
        part = index[start : start + chunk]
        rows, cols = _sample_coordinates(part.size, rng)
        layer = np.broadcast_to(part[:, None, None], rows.shape).astype(np.float32)
        ink = ndimage.map_coordinates(bank, [layer, rows, cols], order=1, mode="constant", cval=0.0)
        ink = _vary_stroke(ink, rng)
        out[start : start + part.size] = np.clip(np.rint(ink * 255.0), 0, 255).astype(np.uint8)
    out[:, :BORDER], out[:, -BORDER:], out[:, :, :BORDER], out[:, :, -BORDER:] = 0, 0, 0, 0
    return out


def _sample_coordinates(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Returns canvas (row, col) coordinates for each output pixel of `n` randomly warped images."""
    angle = np.deg2rad(rng.uniform(-10, 10, n))
    shear = rng.uniform(-0.25, 0.25, n)
    size = np.stack([rng.uniform(24, 28.5, n), rng.uniform(20, 28.5, n)])  # glyph height, width in output px
    scale = size / (GLYPH_BOX / 2)  # output pixels per 2 canvas pixels
    shift = rng.uniform(-1.2, 1.2, (2, n))
    # Output pixel grid relative to the box centre, in output pixels.
    y, x = np.mgrid[0:IMAGE_SIZE, 0:IMAGE_SIZE].astype(np.float32) - (IMAGE_SIZE - 1) / 2
    y = y[None] - shift[0, :, None, None]
    x = x[None] - shift[1, :, None, None]
    cos, sin = np.cos(angle)[:, None, None], np.sin(angle)[:, None, None]
    u = (cos * x + sin * y) / scale[1, :, None, None]
    v = (-sin * x + cos * y) / scale[0, :, None, None]
    u = u - shear[:, None, None] * v
    dy, dx = _elastic_field(n, rng)
    centre = (CANVAS - 1) / 2
    return centre + 2 * v + dy, centre + 2 * u + dx


def _elastic_field(n: int, rng: np.random.Generator, knots: int = 5, amplitude: float = 2.0) -> np.ndarray:
    """Returns a smooth random displacement field (2, n, 32, 32) in canvas pixels."""
    grid = rng.normal(0.0, amplitude, (2, n, knots, knots)).astype(np.float32)
    position = np.linspace(0, knots - 1, IMAGE_SIZE)
    low = np.clip(np.floor(position).astype(int), 0, knots - 2)
    frac = (position - low).astype(np.float32)
    interp = np.zeros((IMAGE_SIZE, knots), np.float32)
    interp[np.arange(IMAGE_SIZE), low] = 1 - frac
    interp[np.arange(IMAGE_SIZE), low + 1] += frac
    return interp @ grid @ interp.T


def _vary_stroke(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Thickens a random quarter of the images by one pixel (2x2 grey dilation) and varies ink gain."""
    from scipy import ndimage

    thick = rng.random(ink.shape[0]) < 1 / 4
    if thick.any():
        ink[thick] = ndimage.grey_dilation(ink[thick], size=(1, 2, 2))
    gain = rng.uniform(1.1, 1.5, (ink.shape[0], 1, 1)).astype(np.float32)
    return np.clip(ink * gain, 0.0, 1.0)
