"""Benchmark annotations as their owners ship them: HMDB-51, UCF-101, Kinetics, Something-Something v2,
plus class folders and plain lists. `open_dataset` recognises the format from the files (detect.py);
one module per dataset; `VideoList` (videolist.py) is what every reader returns."""

from alt.training.annotations.detect import MAX_MISSING, detect, open_dataset, split_numbers
from alt.training.annotations.kinetics import read_class_split
from alt.training.annotations.lists import FORMATS, read_labels
from alt.training.annotations.videolist import VideoList

__all__ = ["FORMATS", "MAX_MISSING", "VideoList", "detect", "open_dataset", "read_class_split", "read_labels",
           "split_numbers"]
