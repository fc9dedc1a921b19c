"""The Devanagari Handwritten Character Dataset (DHCD, UCI dataset 389): download, archives, CSV.

DHCD ships as a zip of PNG folders, `DevanagariHandwrittenCharacterDataset/{Train,Test}/digit_N/<id>.png`
(32x32 grayscale, white on black) plus 36 `character_*` folders that are skipped here. This module reads
that layout from a folder tree or a zip (also a zip wrapped in another zip), reads Kaggle-style CSV
exports, and downloads the UCI archive once into the Keras cache dir, keeping the digits as `.npz`.
"""

import contextlib
import csv
import io
import logging
import os
import re
import socket
import warnings
import zipfile
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from nepscript_keras import io_utils
from nepscript_keras.data import IMAGE_SIZE, NUM_CLASSES, DigitData, load_npz
from nepscript_keras.errors import DataError

DHCD_ORIGINS = (
    "https://archive.ics.uci.edu/static/public/389/devanagari+handwritten+character+dataset.zip",
    "https://archive.ics.uci.edu/ml/machine-learning-databases/00389/DevanagariHandwrittenCharacterDataset.zip",
)
EXPECTED_PER_DIGIT = {"train": 1700, "test": 300}
DOWNLOAD_TIMEOUT = 10.0
SPLITS = ("train", "test")
_DIGIT_FOLDER = re.compile(r"^digit_(\d+)$", re.IGNORECASE)
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff")

logger = logging.getLogger("nepscript_keras")


def read_tree(path: str | os.PathLike, split: str = "train") -> DigitData:
    """Reads a DHCD-style folder tree (`Train/digit_0/*.png`, `Test/...`).

    Any extra folder levels are tolerated (`Train/digits/digit_0`, the archive's top folder); folders
    other than `digit_N` (such as `character_*`) are skipped. A tree without `Train`/`Test` folders is
    read as a single `train` split.

    Args:
        path: Root folder.
        split: `"train"` or `"test"`.

    Returns:
        A validated `DigitData`.

    Example:

    >>> data = read_tree("DevanagariHandwrittenCharacterDataset", split="test")
    """
    root = os.fspath(path)
    relpaths = (
        os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
        for folder, _, names in os.walk(root)
        for name in names
    )

    def read(rel: str) -> bytes:
        with open(os.path.join(root, rel), "rb") as f:
            return f.read()

    return _read_images(_index(relpaths, root, split), read, root, split)


def read_zip(path: str | os.PathLike, split: str = "train") -> DigitData:
    """Reads the digits of a DHCD zip (the UCI archive, or a zip of a folder tree) without extracting it.

    A zip that holds no digit folders but wraps other zips (the newer UCI download wraps the legacy
    archive) is searched one level down.

    Args:
        path: The `.zip` file.
        split: `"train"` or `"test"`.

    Returns:
        A validated `DigitData`.
    """
    path = os.fspath(path)
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_archive(archive, path, split)
    except (zipfile.BadZipFile, OSError) as e:
        raise DataError(f"{path}: not a readable zip archive ({e}); re-download it or pass the extracted folder") from e


def _read_archive(archive: zipfile.ZipFile, source: str, split: str) -> DigitData:
    names = [n for n in archive.namelist() if not n.endswith("/")]
    if not any(_digit_entry(n) for n in names):
        for inner in (n for n in names if n.lower().endswith(".zip")):
            with zipfile.ZipFile(io.BytesIO(archive.read(inner))) as nested:
                if any(_digit_entry(n) for n in nested.namelist()):
                    return _read_archive(nested, f"{source}!{inner}", split)
    return _read_images(_index(names, source, split), archive.read, source, split)


def read_csv(path: str | os.PathLike) -> DigitData:
    """Reads a Kaggle-style DHCD CSV: 1024 pixel columns and a `character` column.

    Rows whose `character` is `digit_0` … `digit_9` are kept; every other character class is skipped.
    The CSV has no train/test split, so all its digits form the `train` split.

    Args:
        path: The `.csv` file.

    Returns:
        A validated `DigitData`.
    """
    path = os.fspath(path)
    with open(path, newline="", encoding="utf-8") as f:
        header = [name.strip() for name in next(csv.reader(f), [])]
    if "character" not in header or len(header) != IMAGE_SIZE * IMAGE_SIZE + 1:
        raise DataError(
            f"{path}: expected a header with 1024 pixel columns and a 'character' column, got "
            f"{len(header)} columns{'' if 'character' in header else ' and no character column'}"
        )
    column = header.index("character")
    try:
        # NumPy's C parser: about 1 s for 20,000 rows, where csv + per-value conversion took 20 s.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data": reported below
            table = np.loadtxt(
                path, delimiter=",", skiprows=1, dtype=np.int32, quotechar='"', ndmin=2,
                converters={column: _digit_label},
            )
    except ValueError as e:
        raise DataError(
            f"{path}: cannot read the pixel table ({e}); each row needs 1024 integer pixel values 0..255 "
            "and a character"
        ) from e
    if table.shape[1] == len(header):
        table = table[table[:, column] >= 0]
    if not table.size:
        raise DataError(f"{path}: no rows with character digit_0 .. digit_9; is this the DHCD CSV?")
    pixels = np.delete(table, column, axis=1)
    if pixels.min() < 0 or pixels.max() > 255:
        raise DataError(f"{path}: pixel values must be in 0..255, found {pixels.min()}..{pixels.max()}")
    images = pixels.astype(np.uint8).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)
    return DigitData(images, table[:, column].astype(np.int64), path, "train")


def _digit_label(text: str) -> int:
    """`digit_N` -> N; any other character class -> -1 (skipped)."""
    match = _DIGIT_FOLDER.match(text.strip().strip('"'))
    return int(match.group(1)) if match else -1


def _digit_entry(relpath: str) -> re.Match | None:
    parts = relpath.split("/")
    if len(parts) < 2 or parts[-1].startswith("."):
        return None
    return _DIGIT_FOLDER.match(parts[-2])


def _index(relpaths: Iterable[str], source: str, split: str) -> list[tuple[int, str]]:
    """Returns sorted (label, relpath) pairs of the digit images in `split` (see `read_tree`)."""
    found: dict[str, list[tuple[int, str]]] = {}
    for rel in relpaths:
        match = _digit_entry(rel)
        if match:
            folders = [p.lower() for p in rel.split("/")[:-2]]
            name = next((p for p in reversed(folders) if p in SPLITS), "train")
            found.setdefault(name, []).append((int(match.group(1)), rel))
    if not found:
        raise DataError(f"{source}: no digit_0 .. digit_9 folders found; expected Train/digit_0/*.png ...")
    if split not in found:
        raise DataError(f"{source}: has no {split} split (found: {', '.join(sorted(found))})")
    bad = sorted({label for label, _ in found[split] if label >= NUM_CLASSES})
    if bad:
        raise DataError(f"{source}: folder digit_{bad[0]} is not a digit; labels must be in 0..9")
    return sorted(found[split], key=lambda item: (item[0], _natural_key(item[1])))


def _natural_key(relpath: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", relpath))


def _read_images(entries: Sequence[tuple[int, str]], read: Callable[[str], bytes], source: str, split: str) -> DigitData:
    images = np.empty((len(entries), IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    for i, (_, rel) in enumerate(entries):
        images[i] = decode_image(read(rel), f"{source}/{rel}")
    labels = np.fromiter((label for label, _ in entries), np.int64, len(entries))
    return DigitData(images, labels, source, split)


def decode_image(blob: bytes, name: str) -> np.ndarray:
    """Decodes one image file to a uint8 (32, 32) grayscale array.

    Args:
        blob: The file's bytes.
        name: File name for error messages.

    Returns:
        The image as uint8 (32, 32).

    Raises:
        DataError: if the bytes are not an image, or the image is not 32x32.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(blob)) as image:
            pixels = np.asarray(image.convert("L"))
    except (UnidentifiedImageError, OSError) as e:
        kind = "an image file" if not name.lower().endswith(_IMAGE_SUFFIXES) else "a readable image"
        raise DataError(f"{name}: not {kind} ({type(e).__name__}); digit folders must hold only 32x32 images") from e
    if pixels.shape != (IMAGE_SIZE, IMAGE_SIZE):
        raise DataError(f"{name}: image is {pixels.shape[1]}x{pixels.shape[0]}, expected 32x32 like DHCD")
    return pixels


def cached_split_path(split: str) -> str:
    """Returns where the downloaded DHCD digits of `split` are kept (an `.npz` in the cache)."""
    return os.path.join(io_utils.cache_dir("datasets"), f"dhcd_digits_{split}.npz")


def is_cached() -> bool:
    """Returns True when the DHCD digits have already been downloaded and converted."""
    return all(os.path.exists(cached_split_path(s)) for s in SPLITS)


def load_dhcd(split: str = "train", origins: Sequence[str] | None = None, timeout: float = DOWNLOAD_TIMEOUT) -> DigitData:
    """Returns the DHCD digits of `split`, downloading and converting the UCI archive on first use.

    The first call downloads the archive through `keras.utils.get_file` into the cache
    (`<Keras cache dir>/nepscript_keras/datasets/`), checks its content (10 digit folders, 32x32 images,
    1700 train and 300 test images per digit) and keeps the digits as two small `.npz` files; later
    calls read those.

    Args:
        split: `"train"` or `"test"`.
        origins: URLs to try in order (default: the current and the legacy UCI address). A `file://`
            URL reads a local copy of the archive.
        timeout: Socket timeout in seconds for each download attempt.

    Returns:
        A validated `DigitData`.

    Raises:
        DataError: if no origin can be downloaded or the archive's content is not DHCD.

    Example:

    >>> train = load_dhcd("train")  # 17,000 digits, 1,700 per class
    """
    if split not in SPLITS:
        raise DataError(f"DHCD: unknown split {split!r}; use 'train' or 'test'")
    if not is_cached():
        convert_archive(download_dhcd(origins, timeout))
    data = load_npz(cached_split_path(split))
    return DigitData(data.images, data.labels, f"DHCD (UCI 389, {data.source})", split)


def download_dhcd(origins: Sequence[str] | None = None, timeout: float = DOWNLOAD_TIMEOUT) -> str:
    """Downloads the DHCD zip into the cache with `keras.utils.get_file` (kept for later runs).

    Args:
        origins: URLs to try in order (default `DHCD_ORIGINS`).
        timeout: Socket timeout in seconds for each attempt.

    Returns:
        The path of the downloaded zip.

    Raises:
        DataError: if every origin fails.
    """
    import keras

    failures = []
    for origin in origins or DHCD_ORIGINS:
        try:
            with _socket_timeout(timeout):
                return keras.utils.get_file(
                    fname=os.path.basename(origin.rstrip("/")) or "dhcd.zip",
                    origin=origin,
                    cache_dir=io_utils.cache_dir(),
                    cache_subdir="datasets",
                )
        except Exception as e:  # pylint: disable=broad-except  (get_file raises plain Exception)
            reason = (str(e).splitlines() or [type(e).__name__])[0].split(" -- ")[-1]
            if reason not in failures:
                failures.append(reason)
    raise DataError(f"could not download DHCD ({'; '.join(failures)}); pass --data PATH to a local copy")


def convert_archive(path: str) -> None:
    """Checks a downloaded DHCD zip and stores its train and test digits as `.npz` in the cache.

    Args:
        path: The zip (as downloaded from UCI).

    Raises:
        DataError: if a split does not have exactly the expected number of images per digit.
    """
    for split in SPLITS:
        data = read_zip(path, split)
        counts = data.class_counts()
        if (counts != EXPECTED_PER_DIGIT[split]).any():
            raise DataError(
                f"{path}: does not look like DHCD: {split} has {counts.tolist()} images per digit, expected "
                f"{EXPECTED_PER_DIGIT[split]} each; delete the file and retry, or pass --data"
            )
        with io_utils.atomic_path(cached_split_path(split)) as tmp:
            np.savez(tmp, images=data.images, labels=data.labels, split=np.str_(split))
    logger.info("DHCD digits cached in %s", io_utils.cache_dir("datasets"))


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)
