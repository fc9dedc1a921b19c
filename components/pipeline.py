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


def create_pipeline(
    tuner: str = "random",
    budget="quick",
    data: str | os.PathLike | None = None,
    dataset: str | None = None,
    pipeline_root: str | os.PathLike = "pipeline",
    seed: int = 0,
    *,
    space: str = "paper",
    max_fid: float | None = None,
    min_recognisable_rate: float | None = None,
    compare_with_blessed: bool = True,
    serving_dir: str | os.PathLike | None = None,
    eval_fraction: float = 0.1,
    max_trials: int | None = None,
    learning_rate: float = 0.002,
) -> Pipeline:
    """Builds the search-to-deployment pipeline ExampleGen -> Tuner -> Trainer -> Evaluator -> Pusher.

    Args:
        tuner: Search strategy (`random`, `progressive`, `adaptive`, `multi_fidelity`, `adversarial`).
        budget: Budget preset name or `Budget`: the search's trials, the final training epochs and width,
            and the final evaluation's sample count (`final_eval_samples`; 20,000 in `standard`/`paper`).
        data: Data path (see `load_digits`), or None with `dataset`.
        dataset: Named dataset (`dhcd`, `synthetic`), or None with `data`.
        pipeline_root: Folder of the artifacts and run records.
        seed: Seed of every component (split, search, training, evaluation sampling).
        space: Search space preset (`paper` or `joint`).
        max_fid: Bless only models with FID at most this.
        min_recognisable_rate: Bless only models with at least this recognisable rate.
        compare_with_blessed: Bless only models whose FID is not worse than the last pushed one's.
        serving_dir: Where blessed generators are pushed (default `<pipeline_root>/serving`).
        eval_fraction: Held-out fraction of each digit for the Evaluator (0: evaluate against `train`).
        max_trials: Override the budget's number of search trials.
        learning_rate: Adam learning rate of the final training.

    Returns:
        The `Pipeline`; run it with `LocalDagRunner().run(pipeline)`.

    Example:

    >>> pipeline = create_pipeline("adaptive", "quick", data="dhcd_digits_train.npz", max_fid=60.0)
    >>> LocalDagRunner().run(pipeline)
    """
    from nepscript_keras.budgets import get_budget

    from nepscript_keras.components.evaluator import Evaluator
    from nepscript_keras.components.example_gen import ExampleGen
    from nepscript_keras.components.pusher import Pusher
    from nepscript_keras.components.trainer import Trainer
    from nepscript_keras.components.tuner import Tuner

    budget = get_budget(budget, max_trials=max_trials)
    serving_dir = os.fspath(serving_dir or os.path.join(pipeline_root, "serving"))
    example_gen = ExampleGen(data=data, dataset=dataset, eval_fraction=eval_fraction, seed=seed)
    examples = example_gen.outputs["examples"]
    search = Tuner(examples=examples, tuner=tuner, space=space, budget=budget, seed=seed)
    trainer = Trainer(examples=examples, hyperparameters=search.outputs["hyperparameters"],
                      epochs=budget.final_epochs, width=budget.width, batch_size=budget.batch_size, learning_rate=learning_rate, seed=seed)
    evaluator = Evaluator(examples=examples, model=trainer.outputs["model"], num_samples=budget.final_eval_samples,
                          split="eval" if eval_fraction else "train", seed=seed, max_fid=max_fid,
                          min_recognisable_rate=min_recognisable_rate,
                          baseline_dir=serving_dir if compare_with_blessed else None)
    pusher = Pusher(model=trainer.outputs["model"], blessing=evaluator.outputs["blessing"],
                    evaluation=evaluator.outputs["evaluation"], serving_dir=serving_dir)
    name = f"nepscript-{tuner}-{budget.name}"
    return Pipeline(name, pipeline_root, [example_gen, search, trainer, evaluator, pusher])
