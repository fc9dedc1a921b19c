"""TFX-style pipeline components (installed as nepscript_keras.components).

ExampleGen -> Tuner -> Trainer -> Evaluator -> Pusher, each a spec (typed inputs, outputs, parameters)
plus an executor that calls the library; `LocalDagRunner` runs them in order with caching and resume.

>>> from nepscript_keras.components import LocalDagRunner, create_pipeline
>>> LocalDagRunner().run(create_pipeline(tuner="random", budget="smoke", data="digits.npz"))
"""

from nepscript_keras.components.artifacts import (
    Artifact,
    Examples,
    HyperParameters,
    Model,
    ModelBlessing,
    ModelEvaluation,
    PushedModel,
    get_single,
    load_artifact,
)
from nepscript_keras.components.base import (
    BaseComponent,
    BaseExecutor,
    Channel,
    ChannelParameter,
    ComponentSpec,
    Parameter,
    adopt,
    resumable_work_dir,
)
from nepscript_keras.components.cache import cache_key
from nepscript_keras.components.evaluator import Evaluator, bless
from nepscript_keras.components.example_gen import ExampleGen, load_examples
from nepscript_keras.components.pipeline import Pipeline, create_pipeline, topological_order
from nepscript_keras.components.pusher import Pusher, latest_pushed
from nepscript_keras.components.runner import ComponentFailedError, LocalDagRunner
from nepscript_keras.components.trainer import Trainer
from nepscript_keras.components.tuner import Tuner
