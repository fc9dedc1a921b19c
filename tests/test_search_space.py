"""SearchSpace presets, KerasTuner registration, validation and hyperparameter files."""

import json

import keras_tuner
import pytest

from nepscript_keras.errors import ConfigError
from nepscript_keras.search_space import (
    ALL_DIMENSIONS,
    DEFAULT_HPARAMS,
    GENERATOR_DIMENSIONS,
    SearchSpace,
    load_hparams,
    save_hparams,
)


def test_paper_preset_searches_generator_only():
    space = SearchSpace.preset("paper")
    assert set(space.dimensions) == set(GENERATOR_DIMENSIONS)
    assert space.fixed == {"d_norm_type": "batch", "d_activation": "leaky_relu", "d_dropout_rate": 0.5, "d_use_residual": True}
    assert space.size == 4 * 2 * 2 * 4 * 2


def test_joint_preset_searches_discriminator_too():
    space = SearchSpace.preset("joint")
    assert set(space.dimensions) == set(ALL_DIMENSIONS)
    assert space.fixed == {}
    assert space.allowed("d_dropout_rate") == (0.0, 0.1, 0.2, 0.3, 0.5)


def test_unknown_preset():
    with pytest.raises(ConfigError, match="paper"):
        SearchSpace.preset("huge")


@pytest.mark.parametrize("preset", ["paper", "joint"])
def test_register_defines_every_name_with_seed_defaults(preset):
    hp = keras_tuner.HyperParameters()
    SearchSpace.preset(preset).register(hp)
    assert hp.values == DEFAULT_HPARAMS
    assert isinstance(hp.values["use_residual"], bool)


def test_register_choices_match_space():
    hp = keras_tuner.HyperParameters()
    SearchSpace.preset("paper").register(hp)
    by_name = {p.name: p for p in hp.space}
    assert list(by_name["latent_dim"].values) == [64, 100, 128, 200]
    assert type(by_name["d_norm_type"]).__name__ == "Fixed"


def test_validate_completes_and_canonicalises():
    space = SearchSpace.preset("paper")
    result = space.validate({"latent_dim": 64.0, "use_residual": 0, "tuner/epochs": 3})
    assert result == {**DEFAULT_HPARAMS, "latent_dim": 64, "use_residual": False}
    assert isinstance(result["latent_dim"], int) and isinstance(result["use_residual"], bool)


@pytest.mark.parametrize(
    "hparams, match",
    [
        ({"latent": 64}, "unknown hyperparameter 'latent'.*latent_dim"),
        ({"latent_dim": 65}, r"latent_dim=65.*allowed: \[64, 100, 128, 200\]"),
        ({"norm_type": "layer"}, r"norm_type='layer'.*\['batch', 'instance'\]"),
        ({"dropout_rate": True}, "dropout_rate=True"),
        ({"d_norm_type": "instance"}, r"outside the paper space; allowed: \['batch'\]"),
    ],
)
def test_validate_rejects(hparams, match):
    with pytest.raises(ConfigError, match=match):
        SearchSpace.preset("paper").validate(hparams)


def test_combinations_enumerate_the_space():
    space = SearchSpace.preset("paper")
    combos = list(space.combinations())
    assert len(combos) == space.size
    assert len({json.dumps(c, sort_keys=True) for c in combos}) == space.size
    assert all(c["d_dropout_rate"] == 0.5 for c in combos)


def test_custom_space_rejects_foreign_values():
    with pytest.raises(ConfigError, match="latent_dim"):
        SearchSpace("mine", {"latent_dim": (64, 99)})


def test_hparams_file_round_trip(tmp_path):
    path = tmp_path / "best_hparams.json"
    hparams = {**DEFAULT_HPARAMS, "norm_type": "instance", "d_use_residual": False}
    save_hparams(path, {**hparams, "tuner/trial_id": "3"})
    assert json.loads(path.read_text()) == hparams
    assert load_hparams(path) == hparams


@pytest.mark.parametrize(
    "content, match",
    [(None, "cannot read"), ("{not json", "not valid JSON"), ("[1, 2]", "JSON object"), ('{"latent_dim": 7}', "latent_dim=7")],
)
def test_load_hparams_errors(tmp_path, content, match):
    path = tmp_path / "h.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError, match=match):
        load_hparams(path)
