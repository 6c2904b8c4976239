"""ALT World: a procedural video world with known ground truth, for training and scoring ALT.

ALT World renders short action clips (default 16 frames of 96 x 96 px at a nominal 8 fps) from a
seed, with numpy and OpenCV only. Every frame comes with a per-pixel instance map, the list of
instances (entity, kind, parent), and a caption; every clip with its action label. It serves three
later steps: pretraining a small CLIP on single frames and captions (`frame_caption_pairs`), training
the ALT adapter on labelled clips (`write_dataset`, one folder per class), and scoring explanations
against the masks (which entity really occupies each region).

    from alt.world import ACTIONS, render_clip
    clip = render_clip("riding a bike", seed=3)      # WorldClip
    clip.frames, clip.masks, clip.captions[0]         # uint8 [16,96,96,3], int32 [16,96,96], str
    clip.entity_map(0)                                # int32 [96,96]: index into ENTITIES per pixel

**Scenes** (`SCENES`): `grass` (sky over grass), `road` (sky, a grass verge, a road with lane
dashes), `beach` (sky, water, sand), `lake` (sky, a grassy far bank, water), `indoor` (wall with a
skirting board over a wooden floor), `snow` (sky over snow). A scene is a stack of region instances
(sky, grass, road, water, sand, floor, wall, snow) with slightly bumpy boundaries, each with a colour
drawn from a small palette (blue, grey or orange sky; four wall colours; ...) plus jitter and a mild
texture (noise, ripples, planks). Outdoor scenes may add a sun, clouds, trees and a flying bird.

**Entities** (`ENTITIES`, 26): the 8 regions above; things: person, ball, car, wheel, bicycle, dog,
leash, guitar, tree, bird, cloud, sun; body parts: head, torso, arm, hand, leg, foot. A person is an
instance with no pixels of its own whose ten parts (head, torso, 2 arms, 2 hands, 2 legs, 2 feet) are
separate instances with the person as parent; wheels are parts of their car or bicycle. Colours
(shirt, trousers, skin, hair, ball, car, bike, dog, guitar) and sizes are drawn from distributions;
people are smaller further away.

**Actions** (`ACTIONS`, 13 zero-shot class names). Temporal pairs (`TEMPORAL_ACTIONS`,
`TEMPORAL_PAIRS`): "walking left" / "walking right", "a ball rising" / "a ball falling" (free fall,
so the reversal is a ball thrown up that slows down), "a person appearing" / "a person leaving" (walks
in from an edge and stands; reversed: stands, then walks out). A clip of the first class with seed s is
exactly the clip of its partner with seed s played backwards, and the person is drawn frontally with
symmetric strides, so no single frame tells a pair apart: only the order of frames does.
Non-temporal actions, each moving: "waving a hand" (raised forearm swings), "bouncing a ball" (ball
between hand and ground), "riding a bike" (pedals and wheels turn), "swimming" (chest-deep in
water, windmill arms), "driving a car" (a head in the window, wheels turn), "walking the dog" (a dog
on a leash trots ahead), "playing guitar" (one hand strums, one holds the neck). Directions of travel
are random wherever direction is not the class.

**Ground truth.** `WorldClip.masks` int32 [T, H, W]: the instance id of every pixel; every pixel
belongs to an instance and every id is in `WorldClip.instances`. Shapes are painted with cv2
primitives without anti-aliasing (`cv2.LINE_8`) into the RGB frame and the instance map by the same
calls, so a mask is exactly the pixels painted for its instance; occlusion is painting order (water
hides a swimmer's legs). Captions name the visible things, colours and regions, e.g. "a person in red
waving a hand on grass under a blue sky"; they never state a direction of motion or time.

Determinism: only `numpy.random.default_rng` seeded per clip; the same (action, seed, num_frames,
size) gives byte-identical frames, masks and captions, and `write_dataset` byte-identical files.
Speed: about 5-15 ms of CPU per 16-frame 96 px clip.

**The world model** (the `world` model spec, assets/models/alt-world/), built by `alt world` (alt/cli/world.py):
`model` (the architecture: a small open_clip ViT at 96 px, patch 8, inside an ALTModel), `pretrain` and
`pretrain_data` (the CLIP trained from scratch on frames and captions: open_clip's ClipLoss plus documented
dense region-text, position and text-uniformity terms), then `alt train` for the adapter, and `release`
(float16 copy, logs, evaluation, `card`). **Measured explanations**: `evaluate` explains held-out clips and
scores them with `truth` (pointing, IoU, attention focus) and `curves` (deletion / insertion); `report`
prints the tables and checks the targets.
"""

from alt.world.canvas import Instance
from alt.world.catalog import ACTIONS, ENTITIES, ENTITY_SPECS, SCENES, TEMPORAL_ACTIONS, TEMPORAL_PAIRS, WorldError
from alt.world.clip import WorldClip, WorldFrame, frame_caption_pairs, render_clip
from alt.world.dataset import clip_seed, world_corpus_entries, write_dataset

__all__ = [
    "ACTIONS", "ENTITIES", "ENTITY_SPECS", "SCENES", "TEMPORAL_ACTIONS", "TEMPORAL_PAIRS", "Instance",
    "WorldClip", "WorldError", "WorldFrame", "clip_seed", "frame_caption_pairs", "render_clip",
    "world_corpus_entries", "write_dataset",
]
