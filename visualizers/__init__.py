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

from alt.lazy import lazy_exports

_EXPORTS = {  # name: its module; imported on first use (alt.lazy), so `import visualizers` stays light
    "alignment_annotations": "alignment", "alignment_color_map": "alignment", "alignment_overlay": "alignment",
    "alignment_overlays": "alignment", "alignment_picture": "alignment", "clip_entities": "alignment",
    "entity_highlight_overlays": "alignment", "frame_entities": "alignment", "VIEWS": "attention",
    "attention_caption": "attention", "attention_maps": "attention", "attention_overlay": "attention",
    "attention_overlays": "attention", "attention_title": "attention", "clip_scale": "attention",
    "colorbar_strip": "attention", "frame_mass": "attention", "ClipColors": "colors", "LEGEND_SIZE": "colors",
    "OTHER_HEX": "colors", "clip_colors": "colors", "entity_hex": "colors", "entity_rgb": "colors",
    "DISPLAY_SIDE": "draw", "boundary_mask": "draw", "display_factor": "draw", "enlarge": "draw",
    "upscale_patches": "draw", "export_explanation": "export", "explanation_figure": "figure",
    "save_figure": "figure", "LabelBox": "labels", "Picture": "labels", "overlapping_pairs": "labels",
    "Panels": "panels", "overlay_strips": "panels", "render_panels": "panels", "strip_picture": "panels",
    "alignment_figure": "plots", "attention_time_figure": "plots", "entity_frame_figure": "plots",
    "entity_frame_matrix": "plots", "probs_figure": "plots", "layer_number": "regions", "num_layers": "regions",
    "region_caption": "regions", "region_counts": "regions", "region_ids_at": "regions", "region_map": "regions",
    "region_maps": "regions", "write_video": "video_writer",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
