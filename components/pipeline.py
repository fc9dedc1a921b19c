"""`Pipeline` (components in topological order) and `create_pipeline`, the search-to-deployment flow."""

import os

from nepscript_keras.errors import ConfigError

from nepscript_keras.components.base import BaseComponent


class Pipeline:
    """A named DAG of components whose artifacts live under `pipeline_root`.

    Args:
        pipeline_name: Name recorded in run records.
        pipeline_root: Folder of every artifact, the serving folder default and the run records.
        components: The components; every upstream component must be included. Any order: they are
            sorted topologically (ties keep the given order).

    Raises:
        ConfigError: for a missing upstream component, a duplicate id or a cycle.

    Example:

    >>> example_gen = ExampleGen(data="digits.npz")
    >>> pipeline = Pipeline("digits", "pipeline_root", [example_gen])
    """

    def __init__(self, pipeline_name: str, pipeline_root: str | os.PathLike, components: list[BaseComponent]):
        self.name = pipeline_name
        self.root = os.fspath(pipeline_root)
        self.components = topological_order(components)


def topological_order(components: list[BaseComponent]) -> list[BaseComponent]:
    """Sorts components so that every component comes after the components it consumes.

    Args:
        components: The pipeline's components.

    Returns:
        A new list in execution order (stable: independent components keep their given order).

    Raises:
        ConfigError: for a duplicate id, an upstream component not in the list, or a cycle.
    """
    ids = [c.id for c in components]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"duplicate component id(s) {duplicates}; give each a unique id with .with_id()")
    for component in components:
        missing = [u.id for u in component.upstream if u not in components]
        if missing:
            raise ConfigError(f"{component.id} consumes {missing}, which are not in the pipeline; add them")
    ordered: list[BaseComponent] = []
    while len(ordered) < len(components):
        ready = [c for c in components if c not in ordered and all(u in ordered for u in c.upstream)]
        if not ready:
            cycle = sorted(c.id for c in components if c not in ordered)
            raise ConfigError(f"components {cycle} form a cycle; a pipeline must be acyclic")
        ordered.append(ready[0])
    return ordered
