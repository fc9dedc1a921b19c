"""Framework tests for the TFX-style components: specs, cache keys, order, atomic artifacts, resume."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from nepscript_keras.components import (
    BaseComponent,
    BaseExecutor,
    ChannelParameter,
    ComponentFailedError,
    ComponentSpec,
    ExampleGen,
    Examples,
    LocalDagRunner,
    Parameter,
    Pipeline,
    bless,
    cache_key,
    get_single,
    latest_pushed,
    load_artifact,
    load_examples,
    topological_order,
)
from nepscript_keras.errors import ConfigError


class CountSpec(ComponentSpec):
    INPUTS = {"examples": ChannelParameter(Examples)}
    OUTPUTS = {"counts": ChannelParameter(Examples)}
    PARAMETERS = {"fail": Parameter(bool, default=False)}


class CountExecutor(BaseExecutor):
    """Writes the class counts of the train split; raises half-way when `fail` is set."""

    def Do(self, input_dict, output_dict, exec_properties):
        counts = get_single(output_dict["counts"])
        data = load_examples(get_single(input_dict["examples"]))
        with open(counts.path("counts.json"), "w", encoding="utf-8") as f:
            json.dump(data.class_counts().tolist(), f)
        if exec_properties["fail"]:
            raise RuntimeError("deliberate failure\nsecond line")
        counts.properties["total"] = len(data)


class Count(BaseComponent):
    SPEC_CLASS = CountSpec
    EXECUTOR_CLASS = CountExecutor


@pytest.fixture(scope="module")
def digits_npz(small_digits, tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "digits.npz"
    subset = small_digits.subset(10, seed=0)
    np.savez(path, images=subset.images, labels=subset.labels)
    return str(path)


def _run(root, *components):
    lines = []
    record = LocalDagRunner(log=lines.append).run(Pipeline("test", root, list(components)))
    return record, lines


def test_example_gen_writes_splits_and_statistics(digits_npz, tmp_path):
    record, lines = _run(tmp_path, ExampleGen(data=digits_npz, eval_fraction=0.2, seed=1))
    examples = load_artifact(record["components"][0]["outputs"]["examples"])
    assert examples.TYPE_NAME == "Examples" and examples.producer == "ExampleGen"
    assert examples.fingerprint == record["components"][0]["cache_key"]
    train, holdout = load_examples(examples, "train"), load_examples(examples, "eval")
    assert len(train) + len(holdout) == 100
    assert examples.properties["splits"]["eval"]["class_counts"] == holdout.class_counts().tolist()
    with Image.open(examples.path("samples.png")) as image:  # 100 digits, 10 x 10
        assert image.size[0] == image.size[1] > 10 * 32
        pixels = np.asarray(image.convert("L"))
    assert pixels.min() < pixels.max()
    with open(record["record_path"], encoding="utf-8") as f:
        saved = json.load(f)
    assert saved["status"] == "succeeded" and [c["status"] for c in saved["components"]] == ["executed"]
    assert "running" in lines[0]


def test_identical_rerun_is_a_cache_hit_and_changes_nothing(digits_npz, tmp_path):
    first, _ = _run(tmp_path, ExampleGen(data=digits_npz))
    uri = first["components"][0]["outputs"]["examples"]
    mtimes = {name: os.stat(os.path.join(uri, name)).st_mtime_ns for name in os.listdir(uri)}
    second, lines = _run(tmp_path, ExampleGen(data=digits_npz))
    assert second["components"][0]["status"] == "cached" and "cache hit" in lines[0]
    assert {name: os.stat(os.path.join(uri, name)).st_mtime_ns for name in os.listdir(uri)} == mtimes


@pytest.mark.parametrize("change", [{"seed": 1}, {"eval_fraction": 0.2}, {"per_class": 5}])
def test_cache_key_covers_every_parameter(digits_npz, change):
    base = cache_key(ExampleGen(data=digits_npz), {})
    assert cache_key(ExampleGen(data=digits_npz, **change), {}) != base
    assert cache_key(ExampleGen(data=digits_npz), {}) == base


def test_cache_key_follows_the_data_file(small_digits, tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, images=small_digits.images, labels=small_digits.labels)
    before = cache_key(ExampleGen(data=str(path)), {})
    np.savez(path, images=small_digits.images[::-1], labels=small_digits.labels[::-1])
    os.utime(path, ns=(1, 1))
    assert cache_key(ExampleGen(data=str(path)), {}) != before


def test_downstream_key_follows_upstream_fingerprint(digits_npz, tmp_path):
    first, _ = _run(tmp_path, gen := ExampleGen(data=digits_npz), Count(examples=gen.outputs["examples"]))
    second, _ = _run(tmp_path, gen := ExampleGen(data=digits_npz, seed=3), Count(examples=gen.outputs["examples"]))
    assert [c["status"] for c in second["components"]] == ["executed", "executed"]
    assert first["components"][1]["cache_key"] != second["components"][1]["cache_key"]


def test_failure_keeps_earlier_artifacts_and_rerun_resumes(digits_npz, tmp_path):
    gen = ExampleGen(data=digits_npz)
    with pytest.raises(ComponentFailedError, match="^Count failed: RuntimeError: deliberate failure; .*resume"):
        _run(tmp_path, gen, Count(examples=gen.outputs["examples"], fail=True))
    assert os.listdir(tmp_path / "Count" / "counts") == []  # The staged, half-written folder is gone.
    with open(sorted((tmp_path / "runs").iterdir())[-1], encoding="utf-8") as f:
        assert [c["status"] for c in json.load(f)["components"]] == ["executed", "failed"]
    record, lines = _run(tmp_path, gen, Count(examples=gen.outputs["examples"]))
    assert "resuming" in lines[0]
    assert [c["status"] for c in record["components"]] == ["cached", "executed"]
    assert load_artifact(record["components"][1]["outputs"]["counts"]).properties["total"] == 90  # 10% held out


def test_topological_order_and_graph_errors(digits_npz):
    gen = ExampleGen(data=digits_npz)
    count = Count(examples=gen.outputs["examples"])
    assert topological_order([count, gen]) == [gen, count]
    with pytest.raises(ConfigError, match="not in the pipeline"):
        topological_order([count])
    with pytest.raises(ConfigError, match="duplicate"):
        topological_order([gen, ExampleGen(data=digits_npz)])


@pytest.mark.parametrize(
    "kwargs, message",
    [({"eval_fraction": "a"}, "must be float"), ({"seed": True}, "must be int"), ({"epochs": 3}, "unknown")],
)
def test_spec_validates_parameters(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        ExampleGen.SPEC_CLASS(**kwargs)


def test_spec_validates_input_types(digits_npz):
    with pytest.raises(ConfigError, match="needs a channel of type Examples"):
        Count(examples="examples.npz")
    with pytest.raises(ConfigError, match="required"):
        Count()


@pytest.mark.parametrize(
    "checks, blessed",
    [({}, True), ({"max_fid": 50.0}, True), ({"max_fid": 30.0}, False),
     ({"min_recognisable_rate": 0.95}, False), ({"max_fid": 50.0, "baseline_fid": 39.0}, False),
     ({"max_fid": 50.0, "min_recognisable_rate": 0.5, "baseline_fid": 41.0}, True)],
)
def test_blessing_needs_every_configured_check(checks, blessed):
    decision, reasons = bless({"fid": 40.0, "recognisable_rate": 0.9}, **checks)
    assert decision is blessed and len(reasons) == max(1, len(checks))


def test_latest_pushed_skips_the_candidate_and_stray_folders(tmp_path):
    for version, fingerprint in ((1, "aaa"), (2, "bbb")):
        (tmp_path / str(version)).mkdir()
        (tmp_path / str(version) / "push.json").write_text(json.dumps({"version": version, "model_fingerprint": fingerprint}))
    (tmp_path / "3").mkdir()  # No push.json: not a pushed version.
    assert latest_pushed(str(tmp_path))["version"] == 2
    assert latest_pushed(str(tmp_path), exclude="bbb")["version"] == 1
    assert latest_pushed(str(tmp_path / "missing")) is None
