"""Pure drawing for ALT Explorer: an `Explanation` (numpy) in; RGB uint8 arrays, matplotlib Figures or
plotly figures out. No torch, no model calls. Every picture of a clip uses the clip's one entity ranking
(`Explanation.entity_ranking`) and one colour assignment (`clip_colors`: distinct colours and legend
numbers for the legend entities, grey beyond), so one entity keeps one number and one colour in every
frame, panel and export. Frames are numbered from 0 everywhere. Pictures are drawn at >= 448 px per panel
with text >= 12 px; renderers that write text report its boxes (`Picture.labels`).

Modules: colors (palettes, clip colours), draw (raster helpers, text), labels (markers placed without
overlaps, legends), regions (merged-token region maps), alignment (entity-to-region pictures), attention
(heatmaps in two views on one clip-wide scale), panels (all panels at once, video strips), plots
(plotly), figure (matplotlib grid), video_writer (H.264 MP4), export (JSON/PNG/PDF/MP4/ZIP).
"""

from visualizers.alignment import (
    alignment_annotations,
    alignment_color_map,
    alignment_overlay,
    alignment_overlays,
    alignment_picture,
    clip_entities,
    entity_highlight_overlays,
    frame_entities,
)
from visualizers.attention import (
    VIEWS,
    attention_caption,
    attention_maps,
    attention_overlay,
    attention_overlays,
    attention_title,
    clip_scale,
    colorbar_strip,
    frame_mass,
)
from visualizers.colors import LEGEND_SIZE, OTHER_HEX, ClipColors, clip_colors, entity_hex, entity_rgb
from visualizers.draw import DISPLAY_SIDE, boundary_mask, display_factor, enlarge, upscale_patches
from visualizers.export import export_explanation
from visualizers.figure import explanation_figure, save_figure
from visualizers.labels import LabelBox, Picture, overlapping_pairs
from visualizers.panels import Panels, overlay_strips, render_panels, strip_picture
from visualizers.plots import (
    alignment_figure,
    attention_time_figure,
    entity_frame_figure,
    entity_frame_matrix,
    probs_figure,
)
from visualizers.regions import (
    layer_number,
    num_layers,
    region_caption,
    region_counts,
    region_ids_at,
    region_map,
    region_maps,
)
from visualizers.video_writer import write_video

__all__ = [
    "DISPLAY_SIDE",
    "LEGEND_SIZE",
    "OTHER_HEX",
    "VIEWS",
    "ClipColors",
    "LabelBox",
    "Panels",
    "Picture",
    "alignment_annotations",
    "alignment_color_map",
    "alignment_figure",
    "alignment_overlay",
    "alignment_overlays",
    "alignment_picture",
    "attention_caption",
    "attention_maps",
    "attention_overlay",
    "attention_overlays",
    "attention_time_figure",
    "attention_title",
    "boundary_mask",
    "clip_colors",
    "clip_entities",
    "clip_scale",
    "colorbar_strip",
    "display_factor",
    "enlarge",
    "entity_frame_figure",
    "entity_frame_matrix",
    "entity_hex",
    "entity_highlight_overlays",
    "entity_rgb",
    "explanation_figure",
    "export_explanation",
    "frame_entities",
    "frame_mass",
    "layer_number",
    "num_layers",
    "overlapping_pairs",
    "overlay_strips",
    "probs_figure",
    "region_caption",
    "region_counts",
    "region_ids_at",
    "region_map",
    "region_maps",
    "render_panels",
    "save_figure",
    "strip_picture",
    "upscale_patches",
    "write_video",
]
