"""TF-GAN's evaluation functions on TensorFlow >= 2.16.

`import tensorflow_gan` fails on TF >= 2.16: the package `__init__` imports TF-GAN's Estimator
module, which needs `tf.estimator` (removed from TensorFlow). The evaluation module itself,
`tensorflow_gan.python.eval.classifier_metrics`, only needs TensorFlow, TensorFlow Probability and
`eval_utils`. This module loads it without running the package `__init__`s: it registers light
stand-in package modules for `tensorflow_gan`, `tensorflow_gan.python` and
`tensorflow_gan.python.eval` in `sys.modules`, whose `__path__` points at the installed folders,
then imports the submodule normally. Nothing else of TF-GAN is loaded.

If `tensorflow_gan` was already imported successfully (older TensorFlow), the real package is used.

Example:

>>> from nepscript_keras.tfgan_compat import classifier_metrics
>>> fid = classifier_metrics.frechet_classifier_distance_from_activations(real, fake)
"""

import importlib
import importlib.util
import os
import sys
import types

_PACKAGES = ("tensorflow_gan", "tensorflow_gan.python", "tensorflow_gan.python.eval")


def _register_light_packages() -> None:
    """Puts path-only package modules for TF-GAN's parent packages into `sys.modules`."""
    spec = importlib.util.find_spec("tensorflow_gan")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("tensorflow-gan is not installed; run `pip install tensorflow-gan`")
    folder = list(spec.submodule_search_locations)[0]
    for name in _PACKAGES:
        if name in sys.modules:
            continue
        module = types.ModuleType(name, doc="Path-only stand-in registered by nepscript_keras.tfgan_compat.")
        module.__path__ = [os.path.join(folder, *name.split(".")[1:])]
        module.__package__ = name
        sys.modules[name] = module


def load_classifier_metrics() -> types.ModuleType:
    """Returns `tensorflow_gan.python.eval.classifier_metrics`, loaded without the package `__init__`.

    Returns:
        The TF-GAN module providing `frechet_classifier_distance_from_activations`,
        `classifier_score_from_logits`, `kernel_classifier_distance_and_std_from_activations` and
        `trace_sqrt_product`.

    Raises:
        ImportError: if tensorflow-gan is not installed.
    """
    name = "tensorflow_gan.python.eval.classifier_metrics"
    if name not in sys.modules:
        _register_light_packages()
    return importlib.import_module(name)


classifier_metrics = load_classifier_metrics()
