"""Devanagari digit data: one loader, one format.

Every source is returned as a `DigitData`: uint8 images (N, 32, 32), white strokes on black, and int64
labels 0..9 (digit ० .. ९), validated on load.
"""

import dataclasses
import hashlib
import os

import numpy as np

from nepscript_keras.errors import DataError

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
    except (OSError, ValueError, EOFError) as e:
        if isinstance(e, DataError):
            raise
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
    """Builds the training input pipeline: scale to [-1, 1], shuffle, batch, prefetch.

    Args:
        images: uint8 images (N, 32, 32).
        labels: Optional int labels (N,); when given, elements are `(images, labels)` tuples.
        batch_size: Images per batch.
        shuffle: Reshuffle every epoch.
        seed: Shuffle seed (reproducible order when set).
        drop_remainder: Drop the last incomplete batch (keeps shapes static for `tf.function`).

    Returns:
        A `tf.data.Dataset` of float32 batches (B, 32, 32, 1) in [-1, 1] (and int32 labels).

    Example:

    >>> ds = to_tf_dataset(data.images, batch_size=32, seed=0)
    """
    import tensorflow as tf

    from nepscript_keras.images import to_float

    x = to_float(images)
    tensors = x if labels is None else (x, np.asarray(labels, np.int32))
    ds = tf.data.Dataset.from_tensor_slices(tensors)
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


def load_digits(data: str | os.PathLike | None = None, dataset: str | None = None, split: str = "train") -> DigitData:
    """Loads Devanagari digits from a path or a named dataset (see the module docstring)."""
    if data is not None and os.fspath(data).endswith(".npz"):
        return load_npz(data)
    raise DataError(f"unsupported data source {data or dataset!r}")
