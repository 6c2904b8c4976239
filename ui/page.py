"""The page's static parts: styles, the head script, the player JavaScript, and the model banner."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel
    from ui.model_slot import ModelSlot

CSS = """
#alt-banner {border-left: 4px solid var(--color-accent); padding-left: 10px}
#alt-banner.untrained {border-left-color: #e8a317}
#alt-status strong {color: #c0392b}
"""

# Compact enough that the player, both predictions and a tab's main picture fit a 1280x720 projector
# without scrolling (checked by tests/browser at 1280x720 and 1400x1000).
COMPACT_CSS = """
#alt-title h2 {font-size: 1.05rem; margin: 0}
#alt-banner p {font-size: 0.85rem; margin: 0}
#alt-video video {max-height: 180px}
#alt-status:has(.prose:empty), #alt-status:not(:has(p)) {display: none}
#alt-predictions h2.output-class {display: none}
#alt-predictions label[data-testid="block-label"] {position: static; margin-bottom: 4px}
#alt-predictions .confidence-set {margin: 0 0 1px 0; padding: 0}
#alt-predictions .confidence-set meter {height: 4px}
#alt-predictions .confidence-set .label {font-size: 0.85rem}
#alt-summary p {font-size: 0.85rem}
#alt-frame-md p {font-size: 0.85rem; margin: 0}
.alt-hidden {display: none !important}
#alt-gallery label[data-testid="block-label"] {position: static; margin-bottom: 4px}
#alt-gallery .grid-wrap {height: auto !important; max-height: none !important; min-height: 0 !important;
  overflow: visible !important}
#alt-gallery .thumbnail-item {aspect-ratio: auto !important; height: auto !important; display: flex;
  flex-direction: column}
#alt-gallery .thumbnail-item img {aspect-ratio: 1 / 1; width: 100%; height: auto !important;
  image-rendering: pixelated}
#alt-gallery .caption-label {position: static !important; max-width: none !important; transform: none !important;
  background: none !important; color: var(--body-text-color) !important; padding: 2px 0 !important;
  font-size: 0.75rem !important; text-align: center; white-space: normal !important}
"""
CSS += COMPACT_CSS

# Keeps the frame slider in step with the player: on pause/end the player's time picks the frame;
# moving the slider seeks the player to that frame's timestamp.
JS_PLAYER_TIME = "(s, t) => [s, (document.querySelector('#alt-video video') || {}).currentTime ?? null]"
JS_SEEK_PLAYER = """(i, ts) => {
  const v = document.querySelector('#alt-video video'); const times = (ts || '').split(',').map(Number);
  if (v && times.length > i && isFinite(times[i])) { v.pause(); v.currentTime = times[i]; }
  return [];
}"""

# The upload player first tries the original file; for AVI and other formats browsers cannot play,
# that fails and Gradio would show "Video not playable" although the server is about to swap in an
# H.264 copy (ui/media.py). Swallow that one media error event, only for the input player.
HEAD = """<script>
window.addEventListener('error', (e) => {
  const t = e.target;
  if (t instanceof HTMLMediaElement && t.closest && t.closest('#alt-video')) { e.stopImmediatePropagation(); }
}, true);
</script>"""

DEFAULT_CLASSES = "bouncing a ball\nwaving hand\ndriving car\nswimming\nplaying guitar"


def banner(model: ALTModel | ModelSlot) -> str:
    """Which model is loaded, on which device, and whether its adapter is trained."""
    spec = model.config.spec or model.config.clip_name
    where = f"on `{model.device}`" if getattr(model, "loaded", True) else "· **loading its weights…**"
    trained = bool(model.config.adapter_trained)
    state = ("**adapter trained**: ALT and the CLIP frame-mean baseline differ" if trained else
             "**adapter untrained**: ALT equals the CLIP frame-mean baseline by design; the pictures are still "
             "what the model computed")
    return (f"Model `{spec}` ({model.config.image_size} px, patch {model.config.patch_size}) {where} · "
            f"r ≤ {model.max_r} · {state}")
