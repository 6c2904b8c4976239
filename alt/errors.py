"""One error family for the library: every expected failure is an `ALTError` (a `ValueError`).

Callers (the CLI, the app's handlers) catch `ALTError` once and show its message; the message names
the problem and what to do. Subclasses exist where a caller needs to tell failures apart:

    ALTError
    ├── InputError        bad per-call input: class names, r, frame counts, settings, dataset lists
    │   ├── DatasetError  a dataset folder, list or annotation file that cannot be used
    │   └── ResumeError   a training folder that cannot be resumed
    ├── VideoError        a file that is not a readable video, or breaks a limit
    ├── CorpusError       a malformed corpus file or entity list
    │   └── WordNetMissingError  WordNet data is not installed (corpus building only)
    ├── ConfigError       a config that cannot describe an ALT model
    ├── CheckpointError   a checkpoint folder or Hub repo that cannot be loaded
    ├── WeightsError      CLIP weights that cannot be had (offline, unknown tag, no safetensors)
    ├── ModelSpecError    a model spec that cannot be parsed or loaded
    └── EncoderError      a vision tower this encoder cannot run
"""

from __future__ import annotations


class ALTError(ValueError):
    """Base of every error the library raises on purpose; the message says what to do."""


class InputError(ALTError):
    """Bad input to explain/classify/train/eval (class names, r, frame count, settings)."""


class DatasetError(InputError):
    """A dataset folder, list or annotation file that cannot be used; names the file and line."""


class ResumeError(InputError):
    """A training output folder whose saved state cannot be resumed."""


class VideoError(ALTError):
    """A file that cannot be used as a video; the message names the problem and what to do."""


class CorpusError(ALTError):
    """A corpus file or entity list is malformed; the message names the file and line."""


class WordNetMissingError(CorpusError):
    """WordNet's data files are not installed (needed only to build a corpus)."""


class ConfigError(ALTError):
    """A config that cannot describe an ALT model (unknown preset, bad field, wrong architecture)."""


class CheckpointError(ALTError):
    """A checkpoint folder or Hub repo that cannot be loaded; the message says what to do."""


class WeightsError(ALTError):
    """CLIP weights that cannot be obtained or do not fit the architecture."""


#: The name used before the error family was unified (kept for callers' `except` clauses).
ClipWeightsError = WeightsError


class ModelSpecError(ALTError):
    """A model spec that cannot be parsed or loaded."""


class EncoderError(ALTError):
    """A vision tower whose structure the region-aware encoder cannot run."""
