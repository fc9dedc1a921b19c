"""`LocalDagRunner`: runs a pipeline's components in order, with caching and resume.

Each component's outputs are published under `<pipeline_root>/<component id>/<output key>/<cache key>/`.
Before running a component the runner computes its cache key; if every output already exists under
that key the component is skipped (a cache hit, said in the log). A failing component's staged outputs
are deleted and the run stops; the artifacts of the components before it stay, so running the same
pipeline again skips them and resumes from the failed component. Every run writes a run record
`<pipeline_root>/runs/<time>.json`.
"""

import datetime
import glob
import json
import os
import time
from typing import Any, Callable

from nepscript_keras.errors import NepscriptError
from nepscript_keras.io_utils import write_json

from nepscript_keras.components import artifacts as artifact_lib
from nepscript_keras.components.base import BaseComponent
from nepscript_keras.components.cache import cache_key
from nepscript_keras.components.pipeline import Pipeline


class ComponentFailedError(NepscriptError, RuntimeError):
    """A component's executor raised; the message names the component and the cause on one line."""


class LocalDagRunner:
    """Runs a `Pipeline` locally in topological order.

    Args:
        log: Called with one progress line per event (default `print`).

    Example:

    >>> record = LocalDagRunner().run(create_pipeline(tuner="random", budget="smoke", data="digits.npz"))
    >>> [c["status"] for c in record["components"]]
    ['executed', 'executed', 'executed', 'executed', 'executed']
    """

    def __init__(self, log: Callable[[str], None] = print):
        self.log = log

    def run(self, pipeline: Pipeline) -> dict[str, Any]:
        """Runs every component not already cached.

        Args:
            pipeline: The pipeline.

        Returns:
            The run record (also written to `<pipeline_root>/runs/`): per component its status
            (`executed`, `cached`, `failed`, `not run`), cache key, seconds and output folders.

        Raises:
            ComponentFailedError: when a component fails (after the run record is written).
        """
        self._say_resume(pipeline.root)
        record = {"pipeline": pipeline.name, "pipeline_root": os.path.abspath(pipeline.root),
                  "started": _now(), "components": []}
        published: dict[tuple[str, str], artifact_lib.Artifact] = {}
        failure = None
        total = len(pipeline.components)
        for index, component in enumerate(pipeline.components, start=1):
            prefix = f"[{index}/{total}] {component.id}"
            if failure is not None:
                record["components"].append({"id": component.id, "status": "not run"})
                continue
            try:
                entry = self._run_component(component, pipeline.root, published, prefix)
            except Exception as e:  # pylint: disable=broad-except  # recorded, then re-raised below
                failure = e
                entry = {"id": component.id, "status": "failed", "error": _one_line(e)}
                self.log(f"{prefix}: FAILED: {_one_line(e)}")
            record["components"].append(entry)
        return self._finish(record, pipeline.root, failure)

    def _run_component(self, component: BaseComponent, root: str,
                       published: dict[tuple[str, str], artifact_lib.Artifact], prefix: str) -> dict[str, Any]:
        input_dict = {key: [published[(ch.producer.id, ch.key)]] for key, ch in component.inputs.items()}
        key = cache_key(component, input_dict)
        uris = {out: os.path.join(root, component.id, out, key) for out in component.outputs}
        start = time.perf_counter()
        if all(artifact_lib.is_published(uri) for uri in uris.values()):
            outputs = {out: artifact_lib.load_artifact(uri) for out, uri in uris.items()}
            status = "cached"
            self.log(f"{prefix}: cache hit (key {key}), skipped; reusing {_describe(outputs)}")
        else:
            self.log(f"{prefix}: running (key {key})")
            outputs = self._execute(component, input_dict, uris, key)
            status = "executed"
            self.log(f"{prefix}: done in {time.perf_counter() - start:.1f} s; wrote {_describe(outputs)}")
        for out, artifact in outputs.items():
            published[(component.id, out)] = artifact
            if "summary" in artifact.properties:
                self.log(f"{prefix}: {artifact.properties['summary']}")
        return {"id": component.id, "status": status, "cache_key": key,
                "seconds": round(time.perf_counter() - start, 3),
                "outputs": {out: os.path.abspath(a.uri) for out, a in outputs.items()},
                "properties": {out: a.properties for out, a in outputs.items()}}

    def _execute(self, component: BaseComponent, input_dict: dict[str, list[artifact_lib.Artifact]],
                 uris: dict[str, str], key: str) -> dict[str, artifact_lib.Artifact]:
        staged = {out: artifact_lib.stage(component.outputs[out].type, uri) for out, uri in uris.items()}
        try:
            component.EXECUTOR_CLASS().Do(input_dict, {out: [a] for out, a in staged.items()},
                                          dict(component.exec_properties))
            return {out: artifact_lib.publish(a, uris[out], producer=component.id, fingerprint=key)
                    for out, a in staged.items()}
        finally:
            for artifact in staged.values():
                if artifact.uri not in uris.values():
                    artifact_lib.discard(artifact)

    def _say_resume(self, root: str) -> None:
        last = _last_record(root)
        failed = [c["id"] for c in (last or {}).get("components", []) if c.get("status") == "failed"]
        if failed:
            self.log(f"last run failed at {failed[0]}; resuming (finished components are cache hits)")

    def _finish(self, record: dict[str, Any], root: str, failure: Exception | None) -> dict[str, Any]:
        record["finished"] = _now()
        record["status"] = "failed" if failure is not None else "succeeded"
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        record["record_path"] = os.path.abspath(os.path.join(root, "runs", f"{stamp}.json"))
        write_json(record["record_path"], record)
        if failure is not None:
            failed = next(c["id"] for c in record["components"] if c["status"] == "failed")
            raise ComponentFailedError(
                f"{failed} failed: {_one_line(failure)}; earlier results are kept, "
                f"rerun (after fixing the cause) to resume from {failed}") from failure
        return record


def _last_record(root: str) -> dict[str, Any] | None:
    paths = sorted(glob.glob(os.path.join(root, "runs", "*.json")))
    if not paths:
        return None
    with open(paths[-1], encoding="utf-8") as f:
        return json.load(f)


def _describe(outputs: dict[str, artifact_lib.Artifact]) -> str:
    return ", ".join(f"{out} -> {a.uri}" for out, a in outputs.items()) or "no outputs"


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    message = text[0] if text else ""
    return message if isinstance(error, NepscriptError) else f"{type(error).__name__}: {message}"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
