"""Component specs, components and executors, in the TFX manner.

A component is a node of the pipeline: its `ComponentSpec` declares typed inputs (channels carrying
artifacts from upstream components), typed outputs and typed parameters; its executor does the work by
calling the library. The runner gives the executor `Do(input_dict, output_dict, exec_properties)` with
lists of artifacts per key, exactly as TFX does, so a component moves to TFX with a thin adapter.

Example:

>>> class MySpec(ComponentSpec):
...     INPUTS = {"examples": ChannelParameter(Examples)}
...     OUTPUTS = {"model": ChannelParameter(Model)}
...     PARAMETERS = {"epochs": Parameter(int, default=1)}
"""

import abc
import dataclasses
import hashlib
import json
import os
import shutil
from typing import Any

from nepscript_keras.errors import ConfigError

from nepscript_keras.components.artifacts import Artifact

_REQUIRED = object()
_JSON_TYPES = (str, int, float, bool, type(None), list, dict)


@dataclasses.dataclass(frozen=True)
class Parameter:
    """A typed execution parameter (part of the cache key).

    Args:
        type: Allowed Python type(s), JSON-serialisable (e.g. `int`, `(float, type(None))`).
        default: Value when the parameter is not given; omitted means required.
    """

    type: type | tuple
    default: Any = _REQUIRED

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED


@dataclasses.dataclass(frozen=True)
class ChannelParameter:
    """A typed input or output slot.

    Args:
        type: The artifact type it carries.
        optional: Whether an input may be left unconnected.
    """

    type: type[Artifact]
    optional: bool = False


@dataclasses.dataclass(frozen=True)
class Channel:
    """An output of a component, connected to downstream inputs (`component.outputs[key]`)."""

    type: type[Artifact]
    producer: "BaseComponent"
    key: str


class ComponentSpec:
    """Declares a component's inputs, outputs and parameters, and validates what it is given.

    Args:
        **kwargs: Input channels and parameter values by name.

    Raises:
        ConfigError: for an unknown name, a missing required value or a value of the wrong type.
    """

    INPUTS: dict[str, ChannelParameter] = {}
    OUTPUTS: dict[str, ChannelParameter] = {}
    PARAMETERS: dict[str, Parameter] = {}

    def __init__(self, **kwargs: Any):
        name = type(self).__name__
        unknown = set(kwargs) - set(self.INPUTS) - set(self.PARAMETERS)
        if unknown:
            raise ConfigError(f"{name}: unknown argument(s) {sorted(unknown)}")
        self.inputs = {key: self._channel(key, slot, kwargs.get(key)) for key, slot in self.INPUTS.items()}
        self.inputs = {key: channel for key, channel in self.inputs.items() if channel is not None}
        self.exec_properties = {key: self._value(key, p, kwargs.get(key, p.default))
                                for key, p in self.PARAMETERS.items()}

    def _channel(self, key: str, slot: ChannelParameter, channel: Channel | None) -> Channel | None:
        if channel is None:
            if slot.optional:
                return None
            raise ConfigError(f"{type(self).__name__}: input {key!r} is required; connect an upstream output")
        if not isinstance(channel, Channel) or not issubclass(channel.type, slot.type):
            got = channel.type.TYPE_NAME if isinstance(channel, Channel) else type(channel).__name__
            raise ConfigError(f"{type(self).__name__}: input {key!r} needs a channel of type {slot.type.TYPE_NAME}, got {got}")
        return channel

    def _value(self, key: str, parameter: Parameter, value: Any) -> Any:
        if value is _REQUIRED:
            raise ConfigError(f"{type(self).__name__}: parameter {key!r} is required")
        allowed = parameter.type if isinstance(parameter.type, tuple) else (parameter.type,)
        if float in allowed and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            names = "/".join(t.__name__ for t in allowed)
            raise ConfigError(f"{type(self).__name__}: parameter {key!r} must be {names}, got {value!r}")
        if not isinstance(value, _JSON_TYPES):
            raise ConfigError(f"{type(self).__name__}: parameter {key!r} must be JSON-serialisable, got {value!r}")
        return value


class BaseExecutor(abc.ABC):
    """Does a component's work by calling the library.

    Bump `VERSION` whenever a change to the executor changes its results: it is part of the cache key.
    """

    VERSION = "1"

    @abc.abstractmethod
    def Do(self, input_dict: dict[str, list[Artifact]], output_dict: dict[str, list[Artifact]],
           exec_properties: dict[str, Any]) -> None:  # pylint: disable=invalid-name
        """Reads the input artifacts, writes into the (staged) output artifacts' folders.

        Args:
            input_dict: Input key -> list of published upstream artifacts.
            output_dict: Output key -> list of staged artifacts; write files under `artifact.uri` and
                facts into `artifact.properties`.
            exec_properties: Parameter name -> value.
        """


def resumable_work_dir(output: Artifact, input_dict: dict[str, list[Artifact]], exec_properties: dict[str, Any]) -> str:
    """Returns a work folder beside `output` that survives a failed execution with the same inputs.

    Long executors (search, training) work there with their library's own resume, then `adopt` the
    result into the staged output: a crash loses nothing, yet the published artifact stays atomic.

    Args:
        output: The staged output artifact.
        input_dict: The execution's input artifacts.
        exec_properties: The execution's parameters.

    Returns:
        The folder (created if needed), named after a hash of input fingerprints and parameters.
    """
    payload = json.dumps([{k: [a.fingerprint for a in v] for k, v in input_dict.items()}, exec_properties],
                         sort_keys=True)
    name = ".work-" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]
    path = os.path.join(os.path.dirname(output.uri), name)
    os.makedirs(path, exist_ok=True)
    return path


def adopt(work_dir: str, output: Artifact) -> None:
    """Moves the contents of a finished work folder into the staged output and removes the folder."""
    for name in os.listdir(work_dir):
        shutil.move(os.path.join(work_dir, name), output.path(name))
    os.rmdir(work_dir)


class BaseComponent:
    """A pipeline node: a spec instance plus the executor class that runs it.

    Subclasses set `SPEC_CLASS` and `EXECUTOR_CLASS` and pass their arguments to `__init__`.

    Args:
        **kwargs: Input channels and parameters, validated by `SPEC_CLASS`.
    """

    SPEC_CLASS: type[ComponentSpec] = ComponentSpec
    EXECUTOR_CLASS: type[BaseExecutor]

    def __init__(self, **kwargs: Any):
        self.spec = self.SPEC_CLASS(**kwargs)
        self.id = type(self).__name__
        self.outputs = {key: Channel(slot.type, self, key) for key, slot in self.SPEC_CLASS.OUTPUTS.items()}

    def with_id(self, component_id: str) -> "BaseComponent":
        """Sets a unique id (needed when one pipeline holds two components of the same class)."""
        self.id = component_id
        return self

    @property
    def inputs(self) -> dict[str, Channel]:
        """Input key -> connected channel."""
        return self.spec.inputs

    @property
    def exec_properties(self) -> dict[str, Any]:
        """Parameter name -> value (defaults filled in)."""
        return self.spec.exec_properties

    @property
    def upstream(self) -> list["BaseComponent"]:
        """Components whose outputs this one consumes."""
        return [channel.producer for channel in self.inputs.values()]

    def external_fingerprint(self, input_dict: dict[str, list[Artifact]]) -> str:
        """Fingerprint of state outside inputs and parameters that changes the result (none by default).

        Args:
            input_dict: The resolved input artifacts.

        Returns:
            A string folded into the cache key.
        """
        del input_dict
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(id={self.id!r})"
