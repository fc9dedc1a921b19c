"""Typed artifacts: folders of files plus an `artifact.json` metadata file.

An artifact is what a component produces and what its downstream components consume. Its metadata says
what it is (`type`), who made it (`producer`), facts about its content (`properties`), when it was made
(`created`) and the `fingerprint` of everything that determined it (the producing component's cache key,
a hash over component, executor version, input fingerprints and parameters).

Artifacts are written atomically: a component writes into a staging folder next to the final location,
and only a successful component's staging folder is renamed into place (`stage` / `publish`), so a crash
never leaves a half-written folder that a rerun could mistake for a result.
"""

import datetime
import json
import os
import shutil
import tempfile

from nepscript_keras.errors import OutputError
from nepscript_keras.io_utils import ensure_dir, write_json

METADATA_FILE = "artifact.json"


class Artifact:
    """A typed pipeline result: a folder (`uri`) plus metadata.

    Args:
        uri: The artifact's folder.
        properties: JSON-serialisable facts about the content (counts, metrics, paths inside `uri`).
        producer: Id of the component that made it.
        fingerprint: Cache key of the execution that made it (16 hex digits).
        created: ISO-8601 UTC time of publication.

    Example:

    >>> examples = load_artifact("pipeline/ExampleGen/examples/3f2a...")
    >>> examples.properties["num_images"], examples.path("train.npz")
    """

    TYPE_NAME = "Artifact"

    def __init__(self, uri: str | os.PathLike, properties: dict | None = None, *, producer: str = "",
                 fingerprint: str = "", created: str = ""):
        self.uri = os.fspath(uri)
        self.properties = dict(properties or {})
        self.producer = producer
        self.fingerprint = fingerprint
        self.created = created

    def path(self, *parts: str) -> str:
        """Returns the path of a file inside the artifact folder."""
        return os.path.join(self.uri, *parts)

    def metadata(self) -> dict:
        """Returns the metadata written to `artifact.json`."""
        return {
            "type": self.TYPE_NAME,
            "producer": self.producer,
            "fingerprint": self.fingerprint,
            "created": self.created,
            "properties": self.properties,
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(uri={self.uri!r}, fingerprint={self.fingerprint!r})"


class Examples(Artifact):
    """Validated digit images per split (`<split>.npz`) with per-split statistics."""

    TYPE_NAME = "Examples"


class HyperParameters(Artifact):
    """The best hyperparameters of a search (`best_hparams.json`) and the search's own outputs."""

    TYPE_NAME = "HyperParameters"


class Model(Artifact):
    """A trained GAN: `generator.keras`, `discriminator.keras` and the training job's outputs."""

    TYPE_NAME = "Model"


class ModelEvaluation(Artifact):
    """Metrics of a generator (`metrics.json`)."""

    TYPE_NAME = "ModelEvaluation"


class ModelBlessing(Artifact):
    """The blessing decision (`blessing.json` plus an empty `BLESSED` or `NOT_BLESSED` file)."""

    TYPE_NAME = "ModelBlessing"


class PushedModel(Artifact):
    """Where (and whether) a generator was pushed to the serving folder (`pushed.json`)."""

    TYPE_NAME = "PushedModel"


ARTIFACT_TYPES = {cls.TYPE_NAME: cls for cls in (Artifact, Examples, HyperParameters, Model, ModelEvaluation,
                                                 ModelBlessing, PushedModel)}


def load_artifact(uri: str | os.PathLike) -> Artifact:
    """Reads a published artifact.

    Args:
        uri: The artifact folder.

    Returns:
        An instance of the artifact's type with its metadata.

    Raises:
        OutputError: if the folder holds no readable `artifact.json`.
    """
    uri = os.fspath(uri)
    try:
        with open(os.path.join(uri, METADATA_FILE), encoding="utf-8") as f:
            meta = json.load(f)
        cls = ARTIFACT_TYPES[meta["type"]]
    except (OSError, ValueError, KeyError) as e:
        raise OutputError(f"{uri} is not a pipeline artifact ({e}); delete it and rerun the pipeline") from e
    return cls(uri, meta["properties"], producer=meta["producer"], fingerprint=meta["fingerprint"],
               created=meta["created"])


def is_published(uri: str | os.PathLike) -> bool:
    """Returns whether `uri` holds a published artifact (its metadata file exists)."""
    return os.path.isfile(os.path.join(os.fspath(uri), METADATA_FILE))


def stage(artifact_type: type[Artifact], final_uri: str | os.PathLike) -> Artifact:
    """Creates an empty staging folder beside `final_uri` and returns an artifact pointing at it."""
    parent = ensure_dir(os.path.dirname(os.path.abspath(os.fspath(final_uri))))
    return artifact_type(tempfile.mkdtemp(prefix=".staging-", dir=parent))


def publish(artifact: Artifact, final_uri: str | os.PathLike, *, producer: str, fingerprint: str) -> Artifact:
    """Writes the metadata into a staged artifact and renames it into place.

    Args:
        artifact: A staged artifact (from `stage`) whose folder the executor has filled.
        final_uri: Where the artifact is published.
        producer: Id of the producing component.
        fingerprint: Cache key of the execution.

    Returns:
        The same artifact, now at `final_uri`.
    """
    final_uri = os.fspath(final_uri)
    artifact.producer, artifact.fingerprint = producer, fingerprint
    artifact.created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    write_json(artifact.path(METADATA_FILE), artifact.metadata())
    if os.path.exists(final_uri):  # A partial publication of a multi-output execution that crashed.
        shutil.rmtree(final_uri)
    os.rename(artifact.uri, final_uri)
    artifact.uri = final_uri
    return artifact


def discard(artifact: Artifact) -> None:
    """Deletes a staged artifact's folder (after its component failed)."""
    shutil.rmtree(artifact.uri, ignore_errors=True)


def get_single(artifacts: list[Artifact]) -> Artifact:
    """Returns the one artifact of an input or output list (TFX's `get_single_instance`)."""
    if len(artifacts) != 1:
        raise ValueError(f"expected exactly one artifact, got {len(artifacts)}")
    return artifacts[0]
