"""Shared fixtures: an isolated cache, the real DHCD digits when present, small balanced subsets."""

import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

DHCD_NPZ = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dhcd_digits_train.npz"


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Points the library cache (classifiers, reference statistics, downloads) at a temporary folder.

    Also sets `NEPSCRIPT_KERAS_OFFLINE`, so no test ever tries the DHCD download.
    """
    os.environ["NEPSCRIPT_KERAS_OFFLINE"] = "1"
    path = tmp_path_factory.mktemp("nepscript_cache")
    previous = os.environ.get("NEPSCRIPT_KERAS_CACHE")
    os.environ["NEPSCRIPT_KERAS_CACHE"] = str(path)
    yield path
    if previous is None:
        os.environ.pop("NEPSCRIPT_KERAS_CACHE", None)
    else:
        os.environ["NEPSCRIPT_KERAS_CACHE"] = previous


@pytest.fixture(scope="session")
def dhcd_npz() -> pathlib.Path:
    """Path of the shared real DHCD digits (../shared/data); skips the test when it is absent."""
    if not DHCD_NPZ.exists():
        pytest.skip(f"real DHCD digits not found at {DHCD_NPZ} (only CI and developers have them)")
    return DHCD_NPZ


@pytest.fixture(scope="session")
def dhcd(dhcd_npz):
    """All 17,000 real DHCD training digits as a `DigitData`."""
    from nepscript_keras.data import load_npz

    return load_npz(dhcd_npz)


@pytest.fixture(scope="session")
def small_digits(dhcd):
    """A balanced 300-image subset of the real digits (30 per class), fixed seed."""
    return dhcd.subset(30, seed=0)
