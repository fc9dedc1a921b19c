"""Atomic file output.

Results are written to a temporary file in the destination folder and renamed into place, so a crash,
a full disk or an interrupt never leaves a half-written file that looks like a result.
"""

import contextlib
import csv
import json
import os
import tempfile
from typing import Any, Iterator, Sequence

from nepscript_keras.errors import OutputError


def ensure_dir(path: str | os.PathLike) -> str:
    """Creates `path` (and parents) if needed and checks that it is writable.

    Args:
        path: Directory to create.

    Returns:
        The path as a string.

    Raises:
        OutputError: if the directory cannot be created or written.
    """
    path = os.fspath(path)
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as e:
        raise OutputError(f"cannot create output directory {path}: {e.strerror}; choose another --output-dir") from e
    if not os.access(path, os.W_OK):
        raise OutputError(f"output directory {path} is not writable; fix its permissions or choose another --output-dir")
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yields a temporary path that replaces `path` only if the block succeeds.

    Args:
        path: Final destination.

    Yields:
        A temporary file name in the same directory (same suffix, so writers that look at the
        extension, such as `keras.Model.save`, still work).

    Example:

    >>> with atomic_path("model.keras") as tmp:
    ...     model.save(tmp)
    """
    path = os.fspath(path)
    directory = ensure_dir(os.path.dirname(os.path.abspath(path)))
    name = os.path.basename(path).lstrip(".")
    suffix = name[name.index(".") :] if "." in name else ""  # Whole suffix: Keras needs ".weights.h5".
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=suffix, dir=directory)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; results get the usual permissions.
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as e:
        raise OutputError(f"could not write {path}: {e.strerror or e}; check free space and permissions") from e
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text(path: str | os.PathLike, text: str) -> None:
    """Atomically writes `text` to `path` (UTF-8)."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Atomically writes `obj` as indented JSON (NumPy scalars and arrays are converted)."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n")


def write_csv(path: str | os.PathLike, rows: Sequence[dict], fieldnames: Sequence[str]) -> None:
    """Atomically writes `rows` (dicts) as CSV with the given column order."""
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(fieldnames), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")


def cache_dir(*parts: str) -> str:
    """Returns (and creates) a folder under the library's cache.

    The cache lives in the Keras cache dir (`$KERAS_HOME` or `~/.keras`) under `nepscript_keras/`,
    or under `$NEPSCRIPT_KERAS_CACHE` when that is set (tests point it at a temporary folder).

    Args:
        *parts: Sub-folder names, e.g. `cache_dir("classifiers")`.

    Returns:
        The absolute path of the folder.
    """
    root = os.environ.get("NEPSCRIPT_KERAS_CACHE")
    if not root:
        keras_home = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
        root = os.path.join(keras_home, "nepscript_keras")
    return ensure_dir(os.path.join(root, *parts))
