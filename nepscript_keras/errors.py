"""User-facing errors.

Every problem a user can fix (bad data, a wrong flag value, an unreadable model file) is raised as a
`NepscriptError` whose message is one line saying what is wrong and how to fix it. The CLI prints
that line instead of a traceback; library users can catch the specific subclass.
"""


class NepscriptError(Exception):
    """Base class for errors whose message is meant for the user, on one line."""


class DataError(NepscriptError, ValueError):
    """The digit data is missing, unreadable or not in the expected format."""


class ConfigError(NepscriptError, ValueError):
    """A flag, hyperparameter or budget value is outside what is allowed."""


class ModelFileError(NepscriptError, OSError):
    """A saved model file is missing, corrupt or not the expected kind of model."""


class OutputError(NepscriptError, OSError):
    """An output location cannot be written (read-only, full, or not a directory)."""


class TrainingDivergedError(NepscriptError, RuntimeError):
    """GAN training produced NaN/inf losses or collapsed; the message says when and why."""
