"""Devanagari digit data: one loader, one format.

Every source is returned as a `DigitData`: uint8 images (N, 32, 32), white strokes on black, and int64
labels 0..9 (digit ० .. ९), validated on load. `load_digits` reads a DHCD folder tree, zip or Kaggle CSV
(`nepscript_keras.dhcd`), an `.npz`, the cached DHCD download, or the offline synthetic digits
(`nepscript_keras.synthetic`); `to_tf_dataset` turns images into the training input pipeline.
"""

import dataclasses
import hashlib
import logging
import os

import numpy as np

from nepscript_keras.errors import ConfigError, DataError

IMAGE_SIZE = 32
NUM_CLASSES = 10
DEVANAGARI_DIGITS = "०१२३४५६७८९"


@dataclasses.dataclass(frozen=True, eq=False)
class DigitData:
    """A validated set of Devanagari digit images.

    Args:
        images: uint8 array (N, 32, 32), white strokes on black.
        labels: int64 array (N,), values 0..9.
        source: Human-readable description of where the data came from.
        split: `"train"`, `"test"`, or a derived name such as `"train[holdout]"`.

    Example:

    >>> data = load_digits("dhcd_digits_train.npz")
    >>> data.images.shape, data.class_counts()
    """

    images: np.ndarray
    labels: np.ndarray
    source: str
    split: str = "train"

    def __post_init__(self):
        validate_arrays(self.images, self.labels, self.source)

    def __len__(self) -> int:
        return int(self.images.shape[0])

    def class_counts(self) -> np.ndarray:
        """Returns the number of images per digit, shape (10,)."""
        return np.bincount(self.labels, minlength=NUM_CLASSES)

    def fingerprint(self) -> str:
        """Returns a short content hash of images and labels (stable across sources and runs)."""
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(self.images).tobytes())
        digest.update(np.ascontiguousarray(self.labels, dtype=np.int64).tobytes())
        return digest.hexdigest()[:16]

    def subset(self, per_class: int, seed: int = 0) -> "DigitData":
        """Returns a class-balanced random subset with `per_class` images of each digit (or fewer)."""
        rng = np.random.default_rng(seed)
        keep = np.concatenate(
            [rng.permutation(np.flatnonzero(self.labels == c))[:per_class] for c in range(NUM_CLASSES)]
        )
        keep = rng.permutation(keep)
        return self._take(keep, f"{self.split}[{per_class}/class]")

    def split_holdout(self, fraction: float = 0.1, seed: int = 0) -> tuple["DigitData", "DigitData"]:
        """Splits into (rest, holdout), stratified by class, `fraction` of each class held out."""
        if not 0.0 < fraction < 1.0:
            raise ValueError(f"fraction must be in (0, 1), got {fraction}")
        rng = np.random.default_rng(seed)
        held = []
        for c in range(NUM_CLASSES):
            idx = rng.permutation(np.flatnonzero(self.labels == c))
            held.append(idx[: max(1, int(round(fraction * len(idx))))])
        held = np.sort(np.concatenate(held))
        rest = np.setdiff1d(np.arange(len(self)), held)
        return self._take(rest, f"{self.split}[rest]"), self._take(held, f"{self.split}[holdout]")

    def _take(self, index: np.ndarray, split: str) -> "DigitData":
        return DigitData(self.images[index], self.labels[index], self.source, split)


def validate_arrays(images: np.ndarray, labels: np.ndarray, source: str) -> None:
    """Checks the data format, raising a one-line `DataError` naming `source` and the problem."""
    if not isinstance(images, np.ndarray) or images.ndim != 3 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        shape = getattr(images, "shape", type(images).__name__)
        raise DataError(f"{source}: images must have shape (N, 32, 32), got {shape}")
    if images.dtype != np.uint8:
        raise DataError(f"{source}: images must be uint8 (0..255), got {images.dtype}")
    if not isinstance(labels, np.ndarray) or labels.shape != (images.shape[0],):
        shape = getattr(labels, "shape", type(labels).__name__)
        raise DataError(f"{source}: labels must have shape ({images.shape[0]},) to match the images, got {shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{source}: labels must be integers 0..9, got dtype {labels.dtype}")
    if len(labels) and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise DataError(f"{source}: labels must be in 0..9, found {labels.min()}..{labels.max()}")
    counts = np.bincount(labels, minlength=NUM_CLASSES)
    if (counts == 0).any():
        empty = ", ".join(f"digit_{c}" for c in np.flatnonzero(counts == 0))
        raise DataError(f"{source}: no images for {empty}; every digit 0..9 needs at least one image")


def load_npz(path: str | os.PathLike) -> DigitData:
    """Loads an `.npz` holding uint8 `images` (N, 32, 32) and int `labels` (N,).

    Args:
        path: The `.npz` file (e.g. `dhcd_digits_train.npz`).

    Returns:
        A validated `DigitData` (split `"train"`, or the file's `split` entry if it has one).
    """
    path = os.fspath(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = {"images", "labels"} - set(npz.files)
            if missing:
                raise DataError(f"{path}: missing array(s) {sorted(missing)}; an .npz needs 'images' and 'labels'")
            images, labels = npz["images"], npz["labels"]
            split = str(npz["split"]) if "split" in npz.files else "train"
    except DataError:
        raise
    except (OSError, ValueError, EOFError) as e:
        raise DataError(f"{path}: not a readable .npz file ({e}); pass a file written by numpy.savez") from e
    return DigitData(images, labels.astype(np.int64, copy=False), source=path, split=split)


def to_tf_dataset(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
):
    """Builds the training input pipeline: shuffle, batch, scale to [-1, 1], prefetch.

    The uint8 images stay in memory as they are (4x smaller than floats); each batch is scaled in one
    vectorised op after batching, which measured 3x faster per epoch than shuffling pre-scaled floats.
    When there are fewer images than `batch_size`, the one incomplete batch is kept even with
    `drop_remainder=True`, so an epoch is never empty.

    Args:
        images: uint8 images (N, 32, 32).
        labels: Optional int labels (N,); when given, elements are `(images, labels)` tuples.
        batch_size: Images per batch.
        shuffle: Reshuffle every epoch.
        seed: Shuffle seed (reproducible order when set).
        drop_remainder: Drop the last incomplete batch (keeps shapes static for `tf.function`).

    Returns:
        A `tf.data.Dataset` of float32 batches (B, 32, 32, 1) in [-1, 1] (and int32 labels).

    Raises:
        DataError: if `images` is empty.

    Example:

    >>> ds = to_tf_dataset(data.images, batch_size=32, seed=0)
    """
    import tensorflow as tf

    images = np.asarray(images, np.uint8)
    if len(images) == 0:
        raise DataError("no images to train on; check the --data/--dataset selection and any subset size")
    tensors = images if labels is None else (images, np.asarray(labels, np.int32))
    ds = tf.data.Dataset.from_tensor_slices(tensors)
    if shuffle:
        ds = ds.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    keep_partial = not drop_remainder or len(images) < batch_size
    ds = ds.batch(batch_size, drop_remainder=not keep_partial)
    ds = ds.map(_scale_batch, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)


def _scale_batch(images, labels=None):
    """uint8 (B, 32, 32) -> float32 (B, 32, 32, 1) in [-1, 1], the same values as `images.to_float`."""
    import tensorflow as tf

    x = tf.cast(images, tf.float32)[..., None] / 127.5 - 1.0
    return x if labels is None else (x, labels)


def load_digits(
    data: str | os.PathLike | None = None,
    dataset: str | None = None,
    split: str = "train",
    *,
    seed: int = 0,
    synthetic_per_class: int = 1000,
) -> DigitData:
    """Loads Devanagari digits from a path or a named dataset.

    Selection: `data` (a path) wins; else `dataset` (`"dhcd"` or `"synthetic"`); with neither, the
    cached DHCD download if present, else a DHCD download attempt with a short timeout, else the
    synthetic digits with one warning (see `default_dataset`).

    A path may be a DHCD folder tree (`Train/digit_0/*.png` ..., extra folder levels allowed), a DHCD
    zip (also the UCI download), a Kaggle-style `.csv` (1024 pixel columns + `character`), or an `.npz`
    with `images` and `labels`. Sources that are black on white (mean pixel > 127) are inverted to white
    on black, and `source` says so.

    Args:
        data: Path of a folder tree, `.zip`, `.csv` or `.npz`.
        dataset: `"dhcd"` or `"synthetic"`.
        split: `"train"` or `"test"`. Sources without a split (CSV, `.npz`, a tree without
            `Train`/`Test`) serve everything as `train`.
        seed: Seed of the synthetic digits.
        synthetic_per_class: Number of synthetic digits per class.

    Returns:
        A validated `DigitData`: uint8 (N, 32, 32) white on black, int64 labels 0..9.

    Raises:
        DataError: for a missing path, an unreadable or malformed source (one line naming the file).
        ConfigError: for an unknown `dataset` or `split`, or both `data` and `dataset`.

    Example:

    >>> train = load_digits("DevanagariHandwrittenCharacterDataset.zip", split="train")
    >>> offline = load_digits(dataset="synthetic", synthetic_per_class=100, seed=1)
    """
    if split not in ("train", "test"):
        raise ConfigError(f"unknown split {split!r}; use 'train' or 'test'")
    if data is not None and dataset is not None:
        raise ConfigError("pass either a data path or a dataset name, not both")
    if data is not None:
        return _white_on_black(_load_path(os.fspath(data), split))
    dataset = dataset or default_dataset()
    if dataset == "dhcd":
        from nepscript_keras import dhcd

        return dhcd.load_dhcd(split)
    if dataset == "synthetic":
        from nepscript_keras.synthetic import make_synthetic

        return make_synthetic(per_class=synthetic_per_class, seed=seed, split=split)
    raise ConfigError(f"unknown dataset {dataset!r}; use 'dhcd' or 'synthetic', or pass a data path")


def default_dataset() -> str:
    """Returns the dataset used when none is named: `"dhcd"` if cached or downloadable, else `"synthetic"`.

    Tries the DHCD download (short timeout) only when it is not cached and `$NEPSCRIPT_KERAS_OFFLINE` is
    unset; if that fails, falls back to `"synthetic"` with one warning line. A download whose content is
    not DHCD raises `DataError` instead of falling back.
    """
    from nepscript_keras import dhcd

    if dhcd.is_cached():
        return "dhcd"
    try:
        if os.environ.get("NEPSCRIPT_KERAS_OFFLINE"):
            raise DataError("DHCD is not cached and NEPSCRIPT_KERAS_OFFLINE is set")
        archive = dhcd.download_dhcd()
    except DataError as e:
        logging.getLogger("nepscript_keras").warning(
            "warning: %s; using synthetic digits rendered from Noto Sans Devanagari instead, "
            "results are not comparable to DHCD",
            e,
        )
        return "synthetic"
    dhcd.convert_archive(archive)
    return "dhcd"


def _load_path(path: str, split: str) -> DigitData:
    from nepscript_keras import dhcd

    if not os.path.exists(path):
        raise DataError(f"{path}: no such file or folder; pass a DHCD folder, .zip, .csv or .npz")
    if os.path.isdir(path):
        return dhcd.read_tree(path, split)
    suffix = os.path.splitext(path)[1].lower()
    if suffix == ".zip":
        return dhcd.read_zip(path, split)
    if suffix not in (".csv", ".npz"):
        raise DataError(f"{path}: unsupported file type {suffix or '(none)'}; pass a DHCD folder, .zip, .csv or .npz")
    loaded = dhcd.read_csv(path) if suffix == ".csv" else load_npz(path)
    if split != "train" and loaded.split != split:
        raise DataError(f"{path}: has no {split} split (it holds one set of digits, read as {loaded.split})")
    return loaded


def _white_on_black(data: DigitData) -> DigitData:
    """Inverts black-on-white sources (mean pixel > 127) so every source is white strokes on black."""
    if data.images.mean() <= 127:
        return data
    return DigitData(255 - data.images, data.labels, f"{data.source} (inverted: was black on white)", data.split)


def pixel_stats(images: np.ndarray) -> dict:
    """Returns mean, standard deviation and ink fraction (pixels > 127) of uint8 images."""
    x = np.asarray(images, np.float64)
    return {"mean": float(x.mean()), "std": float(x.std()), "ink_fraction": float((images > 127).mean())}


def digit_montage(data: DigitData, per_class: int = 10, seed: int = 0) -> np.ndarray:
    """Picks `per_class` random images of each digit, one digit after the other (rows of a 10-wide grid).

    Args:
        data: The digits.
        per_class: Images per digit; a class with fewer images is padded with black.
        seed: Random seed of the pick.

    Returns:
        uint8 array (10 * per_class, 32, 32), digit 0 first.

    Example:

    >>> save_grid(digit_montage(data), "grid.png", ncols=10)
    """
    rng = np.random.default_rng(seed)
    rows = np.zeros((NUM_CLASSES, per_class, IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    for c in range(NUM_CLASSES):
        pick = rng.permutation(np.flatnonzero(data.labels == c))[:per_class]
        rows[c, : len(pick)] = data.images[pick]
    return rows.reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
