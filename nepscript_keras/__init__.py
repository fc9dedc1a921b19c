"""nepscript-keras: neural architecture search over GANs for handwritten Devanagari digits.

Public API (one import away from everything the CLI does):

>>> import nepscript_keras as nk
>>> data = nk.load_digits("dhcd_digits_train.npz")
>>> result = nk.run_search("progressive", budget="smoke", data=data, output_dir="runs/p")

Names are imported on first use (PEP 562), so `import nepscript_keras` and the command line start
without loading TensorFlow until a command needs it.
"""

import importlib
import os

__version__ = "0.1.0"

# Quiet TensorFlow's C++ start-up logging unless the user asked for it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

_EXPORTS = {
    "nepscript_keras.data": (
        "DigitData", "default_dataset", "digit_montage", "load_digits", "load_npz", "pixel_stats",
        "to_tf_dataset",
    ),
    "nepscript_keras.dhcd": ("load_dhcd",),
    "nepscript_keras.errors": (
        "ConfigError", "DataError", "ModelFileError", "NepscriptError", "OutputError",
        "TrainingDivergedError",
    ),
    "nepscript_keras.images": ("image_grid", "save_grid", "to_float", "to_uint8"),
    "nepscript_keras.layers": ("InstanceNormalization", "ResidualBlock"),
    "nepscript_keras.models": (
        "build_discriminator", "build_generator", "generate_images", "load_generator",
    ),
    "nepscript_keras.search_space": ("DEFAULT_HPARAMS", "SearchSpace", "load_hparams", "save_hparams"),
    "nepscript_keras.gan": ("GAN", "GANHyperModel", "build_gan"),
    "nepscript_keras.callbacks": ("DivergenceGuard", "GANCheckpoint", "ProgressLogger", "SampleGrid"),
    "nepscript_keras.training": ("fit_gan", "train"),
    "nepscript_keras.supernet": (
        "DiscriminatorSupernet", "GeneratorSupernet", "SupernetSearch", "derive_architectures",
        "search_architecture",
    ),
    "nepscript_keras.synthetic": ("make_synthetic",),
    "nepscript_keras.classifier": ("classifier_record", "get_classifier", "train_classifier"),
    "nepscript_keras.evaluation": ("evaluate", "reference_statistics"),
    "nepscript_keras.extractors": ("FeatureExtractor", "get_extractor"),
    "nepscript_keras.metrics": (
        "feature_statistics", "frechet_distance", "inception_score", "precision_recall", "script_quality",
    ),
    "nepscript_keras.budgets": ("BUDGETS", "Budget", "get_budget"),
    "nepscript_keras.search": ("SearchResult", "run_search"),
    "nepscript_keras.components": ("LocalDagRunner", "Pipeline", "create_pipeline"),
    "nepscript_keras.comparison": ("ComparisonResult", "compare", "pareto_front", "which_strategy_when"),
    "nepscript_keras.plots": ("plot_pareto", "plot_sample_grids", "plot_search_curves"),
    "nepscript_keras.distributed": ("cluster", "distribution_strategy"),
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str):
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
