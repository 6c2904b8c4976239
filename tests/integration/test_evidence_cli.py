"""`alt explain --evidence`: the logit-split figure and the deletion/insertion curves land in the export
folder (PNG, JSON with AUCs, inside the zip), and the printed summary carries the AUCs."""

import json
import zipfile

from alt.cli import main
from tests.helpers.clipgen import make_clip


def test_explain_evidence_writes_figures_and_curves(tmp_path, capsys):
    clip = make_clip(tmp_path / "square.avi", num_frames=12, size=(96, 72), fps=8)
    out = tmp_path / "out"
    assert main(["explain", str(clip), "--classes", "moving a square, standing still", "--model", "tiny",
                 "--frames", "4", "--out", str(out), "--formats", "json,png,zip", "--evidence",
                 "--evidence-steps", "4"]) == 0
    printed = json.loads(capsys.readouterr().out)
    files = printed["files"]
    assert {"json", "png", "zip", "evidence_png", "curves_fast_png", "curves_fast_json"} <= set(files)
    curves = json.loads((out / "explanation-curves-fast.json").read_text())
    assert len(curves["fractions"]) == 5 and set(curves["deletion"]) == {"contribution", "attention", "random"}
    assert printed["evidence_aucs"]["fast"]["deletion"]["random"] == curves["aucs"]["deletion"]["random"]
    data = json.loads((out / "explanation.json").read_text())
    assert len(data["frame_contrib"]) == 2 and len(data["frame_contrib"][0]) == 4
    assert "adapter_cache" not in data
    with zipfile.ZipFile(out / "explanation.zip") as zf:
        assert "explanation-curves-fast.json" in zf.namelist() and "explanation-evidence.png" in zf.namelist()


def test_explain_evidence_bad_class_is_one_clear_line(tmp_path, capsys):
    clip = make_clip(tmp_path / "square.avi", num_frames=8, size=(96, 72), fps=8)
    code = main(["explain", str(clip), "--classes", "a, b", "--model", "tiny", "--frames", "3",
                 "--out", str(tmp_path / "o"), "--formats", "json", "--evidence", "--evidence-class", "c"])
    assert code == 2 and "class 'c' is not one of" in capsys.readouterr().err
