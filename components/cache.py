"""Execution cache keys, in the TFX manner.

A component's result is reused only when everything that determines it is unchanged: the component
(id and class), its executor (class and `VERSION`), the fingerprints of its input artifacts, every
parameter (seeds included) and any external state the component declares. The key names the folder its
outputs are published in, and becomes their `fingerprint`, so downstream keys change with it.
"""

import hashlib
import json

from nepscript_keras.components.artifacts import Artifact
from nepscript_keras.components.base import BaseComponent


def cache_key(component: BaseComponent, input_dict: dict[str, list[Artifact]]) -> str:
    """Returns the cache key (16 hex digits) of running `component` on `input_dict`.

    Args:
        component: The component, with its parameters.
        input_dict: Its resolved input artifacts.

    Returns:
        The key; equal keys mean equal results.

    Example:

    >>> key = cache_key(example_gen, {})
    """
    executor = component.EXECUTOR_CLASS
    payload = {
        "component_id": component.id,
        "component": f"{type(component).__module__}.{type(component).__qualname__}",
        "executor": f"{executor.__module__}.{executor.__qualname__}",
        "executor_version": executor.VERSION,
        "inputs": {key: [a.fingerprint for a in artifacts] for key, artifacts in sorted(input_dict.items())},
        "parameters": component.exec_properties,
        "external": component.external_fingerprint(input_dict),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
