"""Video input: checking and opening files (decode), choosing frames (sampling), and `load_video`
(load), which returns a VideoClip of exactly the sampled frames. cv2 + numpy, no torch."""

from alt.errors import VideoError
from alt.video.load import VideoClip, clip_from_frames, load_video, load_video_views
from alt.video.sampling import sample_indices

__all__ = ["VideoClip", "VideoError", "clip_from_frames", "load_video", "load_video_views", "sample_indices"]
