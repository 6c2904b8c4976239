"""The `alt` command: explain writes every export, classify prints JSON, bad input exits 2 with one line."""

import json

import pytest

from alt.cli import main
from tests.helpers.clipgen import make_clip


@pytest.fixture(scope="module")
def clip_path(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "square.avi", num_frames=12, size=(96, 72), fps=8)


def test_explain_writes_json_png_pdf_mp4_zip(clip_path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["explain", str(clip_path), "--classes", "moving a square, standing still",
                 "--model", "tiny", "--frames", "4", "--out", str(out)]) == 0
    files = json.loads(capsys.readouterr().out)["files"]
    assert set(files) == {"json", "png", "pdf", "mp4", "zip"}
    for path in files.values():
        assert (out / path.split("/")[-1]).stat().st_size > 0
    data = json.loads((out / "explanation.json").read_text())
    assert set(data["predictions"]) == {"moving a square", "standing still"}
    assert len(data["region_entities"]) == 4


def test_classify_prints_probabilities(clip_path, capsys):
    assert main(["classify", str(clip_path), "--classes", "a, b, c", "--model", "tiny", "--frames", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out["probs"]) == ["a", "b", "c"] and abs(sum(out["probs"].values()) - 1) < 1e-5
    assert out["probs"] == pytest.approx(out["baseline_probs"], abs=1e-5)  # untrained adapter


@pytest.mark.parametrize("args, message", [
    (["--classes", "a, a"], "duplicate class names"),
    (["--classes", "a", "--r", "999"], "pick r <="),
    (["--classes", "a", "--frames", "100"], "outside 1..64"),
])
def test_bad_input_is_one_clear_line_and_exit_2(clip_path, capsys, args, message):
    assert main(["classify", str(clip_path), "--model", "tiny", *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_unreadable_video_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video")
    assert main(["classify", str(bad), "--classes", "a", "--model", "tiny"]) == 2
    assert "notes.mp4" in capsys.readouterr().err


def test_unknown_model_spec_is_a_clear_error(clip_path, capsys):
    assert main(["classify", str(clip_path), "--classes", "a", "--model", "not a spec"]) == 2
    assert "is not 'tiny'" in capsys.readouterr().err
