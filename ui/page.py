"""The page's static parts: styles, the head script, the player JavaScript, and the model banner."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel

CSS = """
#alt-banner {border-left: 4px solid var(--color-accent); padding-left: 10px}
#alt-banner.untrained {border-left-color: #e8a317}
#alt-status strong {color: #c0392b}
"""

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


def banner(model: ALTModel) -> str:
    """Which model is loaded, on which device, and whether its adapter is trained."""
    spec = model.config.spec or model.config.clip_name
    trained = bool(model.config.adapter_trained)
    state = ("**adapter trained**: ALT and the CLIP baseline differ" if trained else
             "**adapter untrained**: the ALT column equals the CLIP baseline by design; "
             "regions, alignments and attention are still what the model computed")
    return (f"Model `{spec}` ({model.config.clip_name}, {model.config.image_size} px, patch "
            f"{model.config.patch_size}) on `{model.device}` · r up to {model.max_r} · {state}")
