"""ALT Explorer's model package: ALT ("Align before Adapt") video action recognition on open_clip.

    from alt import ALTModel, load_video
    model = ALTModel.from_clip("ViT-B-16", pretrained="openai")
    exp = model.explain(load_video("clip.mp4", num_frames=8), ["riding a bike", "swimming"], r=8)
"""

from .config import ALTConfig
from .corpus import EntityCorpus
from .explanation import Explanation
from .model import ALTModel
from .specs import DEFAULT_SPEC, load_model
from .validate import InputError
from .video import VideoClip, VideoError, load_video

__all__ = [
    "ALTConfig", "ALTModel", "DEFAULT_SPEC", "EntityCorpus", "Explanation", "InputError",
    "VideoClip", "VideoError", "load_model", "load_video",
]
__version__ = "0.1.0"
