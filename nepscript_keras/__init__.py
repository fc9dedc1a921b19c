"""nepscript-keras: neural architecture search over GANs for handwritten Devanagari digits.

Public API (one import away from everything the CLI does):

>>> import nepscript_keras as nk
>>> data = nk.load_digits("dhcd_digits_train.npz")
"""

__version__ = "0.1.0"

import os

# Quiet TensorFlow's C++ start-up logging unless the user asked for it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# pylint: disable=wrong-import-position

from nepscript_keras.data import DigitData, default_dataset, digit_montage, load_digits, load_npz, pixel_stats, to_tf_dataset
from nepscript_keras.dhcd import load_dhcd
from nepscript_keras.errors import (
    ConfigError,
    DataError,
    ModelFileError,
    NepscriptError,
    OutputError,
    TrainingDivergedError,
)
from nepscript_keras.images import image_grid, save_grid, to_float, to_uint8
from nepscript_keras.layers import InstanceNormalization, ResidualBlock
from nepscript_keras.models import build_discriminator, build_generator, generate_images, load_generator
from nepscript_keras.search_space import DEFAULT_HPARAMS, SearchSpace, load_hparams, save_hparams
from nepscript_keras.gan import GAN, GANHyperModel, build_gan
from nepscript_keras.callbacks import DivergenceGuard, GANCheckpoint, ProgressLogger, SampleGrid
from nepscript_keras.training import fit_gan, train
from nepscript_keras.supernet import DiscriminatorSupernet, GeneratorSupernet, SupernetSearch, derive_architectures, search_architecture
from nepscript_keras.synthetic import make_synthetic
from nepscript_keras.classifier import classifier_record, get_classifier, train_classifier
from nepscript_keras.evaluation import evaluate, reference_statistics
from nepscript_keras.extractors import FeatureExtractor, get_extractor
from nepscript_keras.metrics import feature_statistics, frechet_distance, inception_score, precision_recall, script_quality
from nepscript_keras.budgets import BUDGETS, Budget, get_budget
from nepscript_keras.search import SearchResult, run_search
from nepscript_keras.components import LocalDagRunner, Pipeline, create_pipeline
from nepscript_keras.compare import ComparisonResult, compare, pareto_front, which_strategy_when
from nepscript_keras.plots import plot_pareto, plot_sample_grids, plot_search_curves
from nepscript_keras.distributed import cluster, distribution_strategy
