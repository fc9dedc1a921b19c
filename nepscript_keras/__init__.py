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

from nepscript_keras.data import DigitData, load_digits, load_npz, to_tf_dataset
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
from nepscript_keras.supernet import DiscriminatorSupernet, GeneratorSupernet, SupernetSearch, derive_architectures, search_architecture
