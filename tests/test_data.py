"""The data layer: every source round-trips from small files written here, errors are one line."""

import logging
import zipfile

import numpy as np
import pytest
from PIL import Image

from nepscript_keras import dhcd
from nepscript_keras.data import DigitData, digit_montage, load_digits, load_npz, pixel_stats, to_tf_dataset
from nepscript_keras.errors import ConfigError, DataError


def _digits(per_class: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random white-on-black uint8 images with a 2-px black border, `per_class` of each digit."""
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(10), per_class)
    images = np.zeros((labels.size, 32, 32), np.uint8)
    images[:, 2:-2, 2:-2] = rng.integers(0, 2, (labels.size, 28, 28)) * rng.integers(150, 256, (labels.size, 1, 1))
    return images, labels


def _write_tree(root, per_class: int, splits=("Train", "Test"), middle=(), seed: int = 0) -> dict:
    """Writes a DHCD-style PNG tree under `root`; returns {split_lower: (images, labels)}."""
    written = {}
    for i, split in enumerate(splits):
        images, labels = _digits(per_class, seed + i)
        for n, (image, label) in enumerate(zip(images, labels)):
            folder = root.joinpath(split, *middle, f"digit_{label}")
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(folder / f"{n + 1}.png")
        written[split.lower()] = (images, labels)
    return written


def _zip_folder(folder, path):
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            archive.write(file, file.relative_to(folder.parent))
    return path


def _same(data: DigitData, images: np.ndarray, labels: np.ndarray) -> None:
    """Compares as sets of (label, image): the loader orders by label and file number."""
    order = np.lexsort((np.arange(len(labels)), labels))
    np.testing.assert_array_equal(data.labels, labels[order])
    np.testing.assert_array_equal(data.images, images[order])
    assert data.images.dtype == np.uint8 and data.labels.dtype == np.int64


def test_folder_tree_round_trip(tmp_path):
    written = _write_tree(tmp_path, per_class=3)
    for split in ("train", "test"):
        data = load_digits(tmp_path, split=split)
        _same(data, *written[split])
        assert data.split == split and data.source == str(tmp_path)


def test_tree_with_extra_levels_and_other_characters(tmp_path):
    top = tmp_path / "DevanagariHandwrittenCharacterDataset"
    written = _write_tree(top, per_class=2, middle=("digits",))
    other = top / "Train" / "character_01_ka"
    other.mkdir()
    (other / "1.txt").write_text("not a digit, skipped")
    _same(load_digits(tmp_path, split="train"), *written["train"])
    _same(load_digits(top, split="test"), *written["test"])


def test_zip_of_the_tree_and_a_zip_wrapped_in_a_zip(tmp_path):
    top = tmp_path / "DevanagariHandwrittenCharacterDataset"
    written = _write_tree(top, per_class=2, middle=("digits",))
    inner = _zip_folder(top, tmp_path / "DevanagariHandwrittenCharacterDataset.zip")
    _same(load_digits(inner, split="test"), *written["test"])
    outer = tmp_path / "devanagari+handwritten+character+dataset.zip"
    with zipfile.ZipFile(outer, "w") as archive:
        archive.write(inner, inner.name)
    _same(load_digits(outer, split="train"), *written["train"])


def test_kaggle_csv_round_trip_skips_other_characters(tmp_path):
    images, labels = _digits(2)
    path = tmp_path / "data.csv"
    header = [f"pixel_{i:04d}" for i in range(1024)] + ["character"]
    rows = [",".join(map(str, image.ravel())) + f",digit_{label}" for image, label in zip(images, labels)]
    rows.insert(3, ",".join(["7"] * 1024) + ",character_01_ka")
    path.write_text(",".join(header) + "\n" + "\n".join(rows) + "\n")
    data = load_digits(path)
    _same(data, images, labels)
    assert data.split == "train"


def test_npz_round_trip(tmp_path):
    images, labels = _digits(2)
    np.savez(tmp_path / "d.npz", images=images, labels=labels)
    data = load_digits(tmp_path / "d.npz")
    np.testing.assert_array_equal(data.images, images)
    np.testing.assert_array_equal(data.labels, labels)
    assert data.fingerprint() == load_npz(tmp_path / "d.npz").fingerprint()


def test_black_on_white_is_inverted_and_noted(tmp_path):
    images, labels = _digits(2)
    np.savez(tmp_path / "inverted.npz", images=255 - images, labels=labels)
    data = load_digits(tmp_path / "inverted.npz")
    np.testing.assert_array_equal(data.images, images)
    assert "inverted" in data.source


def _write_png(path, size=(32, 32)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros(size[::-1], np.uint8)).save(path)


def _bad_tree_shape(root):
    _write_tree(root, 1, splits=("Train",))
    _write_png(root / "Train" / "digit_4" / "99.png", size=(30, 30))
    return root, "99.png"


def _bad_tree_not_image(root):
    _write_tree(root, 1, splits=("Train",))
    (root / "Train" / "digit_2" / "notes.png").write_text("hello")
    return root, "notes.png"


def _bad_tree_empty_class(root):
    _write_tree(root, 1, splits=("Train",))
    for file in (root / "Train" / "digit_3").iterdir():
        file.unlink()
    return root, "digit_3"


def _bad_tree_label(root):
    _write_tree(root, 1, splits=("Train",))
    _write_png(root / "Train" / "digit_12" / "1.png")
    return root, "digit_12"


def _bad_tree_no_digits(root):
    _write_png(root / "Train" / "character_01_ka" / "1.png")
    return root, "no digit_0"


def _bad_csv_columns(root):
    path = root / "bad.csv"
    path.write_text("a,b,c\n1,2,3\n")
    return path, "character"


def _csv_with_row(path, row: str):
    """Writes a CSV with the valid 1024-pixel + character header and one (bad) data row."""
    path.write_text(",".join([f"p{i}" for i in range(1024)] + ["character"]) + "\n" + row + "\n")
    return path


def _bad_csv_values(root):
    return _csv_with_row(root / "values.csv", "x," * 1024 + "digit_1"), "pixel values"


def _bad_csv_row_length(root):
    return _csv_with_row(root / "short.csv", "0,0,digit_1"), "each row needs 1024"


def _bad_csv_no_digits(root):
    return _csv_with_row(root / "letters.csv", "0," * 1024 + "character_01_ka"), "no rows with character digit_0"


def _bad_npz_shape(root):
    np.savez(root / "shape.npz", images=np.zeros((10, 28, 28), np.uint8), labels=np.arange(10))
    return root / "shape.npz", "(N, 32, 32)"


def _bad_npz_labels(root):
    images, labels = _digits(1)
    np.savez(root / "labels.npz", images=images, labels=labels + 1)
    return root / "labels.npz", "0..9"


def _bad_npz_keys(root):
    np.savez(root / "keys.npz", x=np.zeros(3))
    return root / "keys.npz", "'images'"


def _missing_path(root):
    return root / "nowhere", "no such file"


def _unsupported_suffix(root):
    (root / "digits.txt").write_text("1 2 3")
    return root / "digits.txt", "unsupported file type"


def _corrupt_zip(root):
    (root / "broken.zip").write_bytes(b"PK not really")
    return root / "broken.zip", "zip"


def _missing_test_split(root):
    _write_tree(root, 1, splits=("Train",))
    return root, "no test split"


@pytest.mark.parametrize(
    "make, split",
    [
        (_bad_tree_shape, "train"),
        (_bad_tree_not_image, "train"),
        (_bad_tree_empty_class, "train"),
        (_bad_tree_label, "train"),
        (_bad_tree_no_digits, "train"),
        (_bad_csv_columns, "train"),
        (_bad_csv_values, "train"),
        (_bad_csv_row_length, "train"),
        (_bad_csv_no_digits, "train"),
        (_bad_npz_shape, "train"),
        (_bad_npz_labels, "train"),
        (_bad_npz_keys, "train"),
        (_missing_path, "train"),
        (_unsupported_suffix, "train"),
        (_corrupt_zip, "train"),
        (_missing_test_split, "test"),
    ],
)
def test_bad_input_is_one_line_data_error(tmp_path, make, split):
    path, problem = make(tmp_path)
    with pytest.raises(DataError) as raised:
        load_digits(path, split=split)
    message = str(raised.value)
    assert "\n" not in message
    assert str(path) in message and problem in message


def test_selection_errors():
    with pytest.raises(ConfigError):
        load_digits("x.npz", dataset="synthetic")
    with pytest.raises(ConfigError):
        load_digits(dataset="mnist")
    with pytest.raises(ConfigError):
        load_digits(dataset="synthetic", split="validation")


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """An empty cache for one test (downloads land here)."""
    monkeypatch.setenv("NEPSCRIPT_KERAS_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NEPSCRIPT_KERAS_OFFLINE", raising=False)
    return tmp_path / "cache"


def _fake_uci_zip(tmp_path, per_class):
    top = tmp_path / "src" / "DevanagariHandwrittenCharacterDataset"
    written = _write_tree(top, per_class=per_class)
    return _zip_folder(top, tmp_path / "DevanagariHandwrittenCharacterDataset.zip"), written


def test_download_from_a_local_origin_is_verified_and_cached(tmp_path, fresh_cache, monkeypatch):
    archive, written = _fake_uci_zip(tmp_path, per_class=2)
    monkeypatch.setattr(dhcd, "EXPECTED_PER_DIGIT", {"train": 2, "test": 2})
    monkeypatch.setattr(dhcd, "DHCD_ORIGINS", (archive.as_uri(),))
    assert not dhcd.is_cached()
    _same(load_digits(dataset="dhcd", split="test"), *written["test"])
    assert dhcd.is_cached()
    archive.unlink()  # later loads read the cache, not the archive
    train = load_digits()
    _same(train, *written["train"])
    assert train.source.startswith("DHCD") and str(fresh_cache) in train.source


def test_download_with_wrong_content_fails_clearly(tmp_path, fresh_cache):
    archive, _ = _fake_uci_zip(tmp_path, per_class=1)
    with pytest.raises(DataError, match=r"does not look like DHCD: train has \[1, 1, .*expected 1700"):
        dhcd.load_dhcd("train", origins=[archive.as_uri()])
    assert not dhcd.is_cached()


def test_no_data_and_failed_download_falls_back_to_synthetic_with_one_warning(tmp_path, fresh_cache, monkeypatch, caplog):
    monkeypatch.setattr(dhcd, "DHCD_ORIGINS", ((tmp_path / "missing.zip").as_uri(),))
    with caplog.at_level(logging.WARNING, logger="nepscript_keras"):
        data = load_digits(synthetic_per_class=3, seed=1)
    assert data.source.startswith("synthetic") and len(data) == 30
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "not comparable to DHCD" in warnings[0] and "\n" not in warnings[0]


def test_to_tf_dataset_scales_and_keeps_a_small_set(small_digits):
    images, labels = small_digits.images[:5], small_digits.labels[:5]
    batches = list(to_tf_dataset(images, labels, batch_size=32, seed=0))
    assert len(batches) == 1
    x, y = batches[0]
    assert x.shape == (5, 32, 32, 1) and x.dtype.name == "float32" and y.dtype.name == "int32"
    assert -1.0 <= float(x.numpy().min()) and float(x.numpy().max()) <= 1.0
    full = list(to_tf_dataset(small_digits.images, batch_size=32, seed=0))
    assert [b.shape[0] for b in full] == [32] * (len(small_digits) // 32)


def test_to_tf_dataset_rejects_empty_input():
    with pytest.raises(DataError, match="no images"):
        to_tf_dataset(np.zeros((0, 32, 32), np.uint8))


def test_real_dhcd_digits(dhcd, dhcd_npz):
    assert len(dhcd) == 17000
    assert dhcd.class_counts().tolist() == [1700] * 10
    loaded = load_digits(dhcd_npz)
    assert loaded.fingerprint() == dhcd.fingerprint()
    stats = pixel_stats(loaded.images)
    assert stats["mean"] < 127 and 0.05 < stats["ink_fraction"] < 0.5


def test_digit_montage_one_row_per_digit(small_digits):
    montage = digit_montage(small_digits, per_class=4, seed=0)
    assert montage.shape == (40, 32, 32)
    for c in range(10):
        for image in montage[4 * c : 4 * c + 4]:
            assert (small_digits.images[small_digits.labels == c] == image).all(axis=(1, 2)).any()
