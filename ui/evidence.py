"""The Evidence tab's handlers: the exact logit split, counterfactuals from a click, deletion/insertion curves.

`EvidenceHandlers` is mixed into `ui.handlers.Handlers` (it uses its `model` and `ui`). Everything but the
curves re-renders from the session's Explanation; a counterfactual re-runs only the adapter and the head
on the encoder output the Explanation carries (alt/evidence), so a click answers in milliseconds. The
dropped entities and regions live in the `ev_drops` state of the user's session, never on the model.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import gradio as gr
import numpy as np

import visualizers.evidence as VE

if TYPE_CHECKING:
    from alt.model.alt_model import ALTModel
    from ui.layout import Layout

logger = logging.getLogger(__name__)

CURVE_MODES = ("fast", "pixel")
NO_DROPS: dict[str, list] = {"entities": [], "regions": []}


def _class_choices(exp) -> list[tuple[str, int]]:
    order = np.argsort(-exp.probs, kind="stable")
    return [(f"{exp.class_names[i]} ({exp.probs[i]:.1%})", int(i)) for i in order]


def _cls(exp, value: Any) -> int:
    try:
        i = int(value)
    except (TypeError, ValueError):
        return int(np.argmax(exp.probs))
    return i if 0 <= i < len(exp.class_names) else int(np.argmax(exp.probs))


def entity_rows(exp, a: int) -> list[list[Any]]:
    """[[entity, contribution, frames with a query]] for the table, largest contribution first."""
    from alt.evidence.views import entity_contributions

    ids, values = entity_contributions(exp, a)
    frames = {int(e): sorted({int(t) for q, t in zip(exp.query_entities, exp.query_frames) if q == e}) for e in ids}
    return [[exp.entity_names[int(e)], round(float(v), 4), ", ".join(map(str, frames[int(e)]))]
            for e, v in zip(ids, values)]


def result_markdown(exp, new_probs: np.ndarray | None, drops: dict) -> str:
    """Before/after table of the counterfactual (or a hint when nothing is dropped)."""
    if new_probs is None:
        return "Nothing removed: pick an entity (table or list) or click a region of the frame."
    what = []
    if drops["entities"]:
        what.append("entities " + ", ".join(f"'{exp.entity_names[e]}'" for e in drops["entities"]))
    if drops["regions"]:
        what.append(f"{len(drops['regions'])} region(s): "
                    + ", ".join(f"frame {t} #{r}" for t, r in drops["regions"][:8]))
    rows = "\n".join(f"| {n} | {a:.1%} | {b:.1%} | {b - a:+.1%} |"
                     for n, a, b in VE.counterfactual_rows(exp, new_probs))
    return (f"**Counterfactual** without {' and '.join(what)} (adapter and head re-run on the cached encoder "
            "output; regions and alignment unchanged):\n\n"
            f"| class | before | after | change |\n|---|---|---|---|\n{rows}")


class EvidenceHandlers:
    """Evidence-tab callbacks (mixed into Handlers: needs `self.model` and `self.ui`)."""

    model: ALTModel
    ui: Layout

    def evidence_views(self, session: Any, cls: Any = None, t: Any = 0) -> dict:
        """Every Evidence view of the session's result for class `cls` (default the prediction), nothing dropped."""
        ui = self.ui
        if session is None or not session.exp.has_evidence:
            return {ui.ev_plot: None, ui.ev_caption: "", ui.ev_note: "Run **Explain** first.", ui.ev_table: None,
                    ui.ev_result: "", ui.ev_region_img: None, ui.ev_drops: dict(NO_DROPS)}
        exp = session.exp
        a = _cls(exp, cls)
        note = ("" if np.any(exp.query_contrib) else
                "**Untrained adapter:** every query term is exactly zero (out_proj starts at zero), so ALT's "
                "logit is the CLIP frame-mean part, shown split per frame. Counterfactuals change nothing.")
        ents = [(name, exp.entity_names.index(name)) for name, _, _ in entity_rows(exp, a)]
        return {
            ui.ev_class: gr.Dropdown(choices=_class_choices(exp), value=a, interactive=True),
            ui.ev_plot: VE.contributions_figure(exp, a, k=min(session.top_k, 10)),
            ui.ev_caption: VE.contributions_caption(exp, a), ui.ev_note: note,
            ui.ev_table: entity_rows(exp, a),
            ui.ev_entity: gr.Dropdown(choices=ents, value=[], interactive=True),
            ui.ev_result: result_markdown(exp, None, NO_DROPS), ui.ev_drops: dict(NO_DROPS),
            ui.ev_region_img: self._region_image(session, a, t, NO_DROPS),
        }

    def _region_image(self, session: Any, a: int, t: Any, drops: dict) -> np.ndarray:
        from visualizers.draw import enlarge

        exp = session.exp
        t = int(np.clip(int(t or 0), 0, exp.num_frames - 1))
        return enlarge(VE.region_contribution_map(exp, t, a, dropped=drops["regions"]))

    def _counterfactual(self, session: Any, a: int, t: Any, drops: dict) -> dict:
        from alt.errors import ALTError

        ui, exp = self.ui, session.exp
        new = None
        if drops["entities"] or drops["regions"]:
            try:
                new = self.model.counterfactual(exp, drop_entities=drops["entities"], drop_regions=drops["regions"])
            except ALTError as exc:
                raise gr.Error(str(exc), print_exception=False) from None
        return {ui.ev_result: result_markdown(exp, new, drops), ui.ev_drops: drops,
                ui.ev_region_img: self._region_image(session, a, t, drops)}

    def ev_drop_entities(self, session: Any, entities: Any, drops: dict | None, cls: Any, t: Any) -> dict:
        """The entity list changed: re-run the counterfactual with these entities removed."""
        if session is None or not session.exp.has_evidence:
            return {self.ui.ev_result: gr.skip()}
        chosen = [int(e) for e in (entities or []) if e is not None]
        drops = {"entities": chosen, "regions": list((drops or NO_DROPS)["regions"])}
        return self._counterfactual(session, _cls(session.exp, cls), t, drops)

    def ev_pick_row(self, session: Any, entities: Any, evt: gr.SelectData) -> Any:
        """A click on a table row adds (or removes) that entity in the list (which runs the counterfactual)."""
        if session is None or evt is None or evt.index is None:
            return gr.skip()
        row = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        name = evt.row_value[0] if getattr(evt, "row_value", None) else None
        exp = session.exp
        if name not in exp.entity_names:
            return gr.skip()
        e = exp.entity_names.index(name)
        chosen = [int(v) for v in (entities or [])]
        logger.debug("evidence table row %s -> entity %s", row, name)
        return gr.Dropdown(value=[v for v in chosen if v != e] if e in chosen else [*chosen, e])

    def ev_pick_region(self, session: Any, drops: dict | None, cls: Any, t: Any,
                       evt: gr.SelectData) -> dict:
        """A click on the frame: toggle the region under it and re-run the counterfactual."""
        from visualizers.draw import display_factor

        if session is None or not session.exp.has_evidence or evt is None or evt.index is None:
            return {self.ui.ev_result: gr.skip()}
        exp = session.exp
        t = int(np.clip(int(t or 0), 0, exp.num_frames - 1))
        side = exp.frames.shape[1]
        shown = side * display_factor(side)  # the picture is enlarged by this whole factor (`_region_image`)
        region = VE.region_at(exp, t, float(evt.index[0]), float(evt.index[1]), shown)
        regions = [tuple(p) for p in (drops or NO_DROPS)["regions"]]
        regions = [p for p in regions if p != (t, region)] if (t, region) in regions else [*regions, (t, region)]
        drops = {"entities": list((drops or NO_DROPS)["entities"]), "regions": regions}
        return self._counterfactual(session, _cls(exp, cls), t, drops)

    def ev_frame(self, session: Any, drops: dict | None, cls: Any, t: Any) -> Any:
        """The frame slider moved: redraw the clickable frame."""
        if session is None or not session.exp.has_evidence:
            return gr.skip()
        return self._region_image(session, _cls(session.exp, cls), t, drops or NO_DROPS)

    def ev_restore(self, session: Any, cls: Any, t: Any) -> dict:
        """Put every entity and region back."""
        if session is None or not session.exp.has_evidence:
            return {self.ui.ev_result: gr.skip()}
        out = self._counterfactual(session, _cls(session.exp, cls), t, dict(NO_DROPS))
        out[self.ui.ev_entity] = gr.Dropdown(value=[])
        return out

    def ev_curves(self, session: Any, mode: str, cls: Any, request: gr.Request = None,
                  progress=gr.Progress()) -> dict:  # noqa: B008 - Gradio injects the tracker through this default
        """Deletion and insertion curves (fast: adapter keys; pixel: blur and re-encode), with files to download."""
        from alt.errors import ALTError
        from ui import media
        from visualizers.figure import save_figure

        if session is None or not session.exp.has_evidence:
            raise gr.Error("Nothing to measure yet: run an analysis first", print_exception=False)
        mode = mode if mode in CURVE_MODES else "fast"
        exp = session.exp
        progress(0.0, desc=f"{mode} curves")
        try:
            curves = self.model.evidence_curves(exp, mode, cls=_cls(exp, cls),
                                                progress=lambda f, msg: progress(f, desc=msg))
        except ALTError as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        fig = VE.curves_figure(curves)
        folder = media.request_dir("evidence", getattr(request, "session_hash", None))
        png = save_figure(fig, folder / f"curves-{mode}.png")
        js = folder / f"curves-{mode}.json"
        js.write_text(curves.to_json(indent=1), encoding="utf-8")
        return {self.ui.ev_curves_plot: fig, self.ui.ev_curves_caption: VE.curves_caption(curves),
                self.ui.ev_curves_files: [str(png), str(js)]}
