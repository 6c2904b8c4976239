"""Pure drawing for ALT Explorer: an `Explanation` (numpy) in; RGB uint8 arrays, matplotlib Figures or
plotly figures out. No torch, no model calls. Colours are keyed by entity name, so one entity keeps
one colour in every frame, panel and export.

Modules: colors (palettes), draw (raster helpers), regions (merged-token region maps), alignment
(entity-to-region overlays, gr.AnnotatedImage values), attention (heatmaps on one clip-wide scale),
panels (all panels at once, video strips), plots (plotly), figure (matplotlib grid), video_writer
(H.264 MP4), export (JSON/PNG/PDF/MP4/ZIP).
"""

from visualizers.alignment import (
    alignment_annotations,
    alignment_color_map,
    alignment_overlay,
    alignment_overlays,
    clip_entities,
    entity_highlight_overlays,
    frame_entities,
)
from visualizers.attention import (
    attention_maps,
    attention_overlay,
    attention_overlays,
    attention_title,
    clip_scale,
    colorbar_strip,
    frame_mass,
)
from visualizers.colors import entity_hex, entity_rgb
from visualizers.draw import DISPLAY_SIDE, boundary_mask, enlarge, upscale_patches
from visualizers.export import export_explanation
from visualizers.figure import explanation_figure, save_figure
from visualizers.panels import Panels, overlay_strips, render_panels
from visualizers.plots import (
    alignment_figure,
    attention_time_figure,
    entity_frame_figure,
    entity_frame_matrix,
    probs_figure,
)
from visualizers.regions import num_layers, region_caption, region_counts, region_ids_at, region_map, region_maps
from visualizers.video_writer import write_video

__all__ = [
    "Panels",
    "alignment_annotations",
    "alignment_color_map",
    "alignment_figure",
    "alignment_overlay",
    "alignment_overlays",
    "attention_maps",
    "attention_overlay",
    "attention_overlays",
    "attention_time_figure",
    "attention_title",
    "DISPLAY_SIDE",
    "boundary_mask",
    "enlarge",
    "clip_entities",
    "clip_scale",
    "colorbar_strip",
    "entity_highlight_overlays",
    "entity_frame_figure",
    "entity_frame_matrix",
    "entity_hex",
    "entity_rgb",
    "explanation_figure",
    "export_explanation",
    "frame_entities",
    "frame_mass",
    "num_layers",
    "overlay_strips",
    "probs_figure",
    "region_caption",
    "region_counts",
    "region_ids_at",
    "region_map",
    "region_maps",
    "render_panels",
    "save_figure",
    "upscale_patches",
    "write_video",
]
