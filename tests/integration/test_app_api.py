"""The app's API, end to end: `python app.py --model tiny` on a free port, driven by gradio_client.

The server runs with small limits (--max-duration-s 40, --max-upload-mb 2) so that over-long videos
and over-large uploads can be tried in seconds. CPU only, no network.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.helpers.server import ROOT, free_port, start_app, stop_app

pytestmark = pytest.mark.slow
MAX_DURATION_S = 40  # longer than tree.avi (29.6 s)


def write_clip(path: Path, seconds: float = 3.0, fps: int = 10, fourcc: str = "MJPG", size=(160, 120)) -> Path:
    """A ball moving over a gradient, written by OpenCV (AVI/MJPG by default: browsers cannot play it)."""
    w, h = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert writer.isOpened(), f"OpenCV cannot write {fourcc}"
    for i in range(int(seconds * fps)):
        img = np.zeros((h, w, 3), np.uint8)  # BGR
        img[..., 1] = np.linspace(40, 200, w, dtype=np.uint8)[None, :]
        cv2.circle(img, (int(15 + (w - 30) * i / (seconds * fps)), h // 2), h // 6, (0, 0, 255), -1)
        writer.write(img)
    writer.release()
    return path


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("app")
    proc, url, log = start_app(tmp, "--max-duration-s", str(MAX_DURATION_S), "--max-upload-mb", "2",
                               "--concurrency", "2")
    yield url, proc, log
    stop_app(proc)


@pytest.fixture(scope="module")
def client(app):
    from gradio_client import Client

    return Client(app[0], verbose=False)


@pytest.fixture(scope="module")
def avi(tmp_path_factory) -> Path:
    return write_clip(tmp_path_factory.mktemp("clips") / "ball.avi")


def healthy(client, avi) -> dict:
    """A good request still answers (the server survived whatever came before)."""
    from gradio_client import handle_file

    return client.predict(handle_file(str(avi)), "ball, dog", api_name="/classify")


def test_only_explain_and_classify_are_public_endpoints(client):
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/explain", "/classify"}
    params = [p["parameter_name"] for p in api["named_endpoints"]["/explain"]["parameters"]]
    assert params == ["video", "class_names", "num_frames", "r", "plain_clip"]
    assert [p["parameter_name"] for p in api["named_endpoints"]["/classify"]["parameters"]] == ["video", "class_names"]
    assert not api["unnamed_endpoints"]


def test_explain_returns_probs_baseline_frames_and_timings(client, avi):
    from gradio_client import handle_file

    out = client.predict(video=handle_file(str(avi)), class_names="ball, dog\ncar", num_frames=6, r=2,
                         api_name="/explain")
    json.dumps(out)  # JSON-able
    assert list(out["probs"]) == ["ball", "dog", "car"] == list(out["baseline_probs"])
    assert abs(sum(out["probs"].values()) - 1) < 1e-4 and abs(sum(out["baseline_probs"].values()) - 1) < 1e-4
    assert out["num_frames"] == 6 and len(out["frames"]) == 6 and out["r"] == 2
    assert all(f["entities"] and f["entities"][0]["name"] for f in out["frames"])
    assert [f["time_s"] for f in out["frames"]] == sorted(f["time_s"] for f in out["frames"])
    assert out["timings"]["total"] > 0 and out["model"] == "tiny"
    assert out["adapter_trained"] is False and out["probs"] == pytest.approx(out["baseline_probs"])


def test_classify_returns_class_probabilities(client, avi):
    from gradio_client import handle_file

    out = client.predict(video=handle_file(str(avi)), class_names="ball, dog, car, swimming", api_name="/classify")
    assert list(out) == ["ball", "dog", "car", "swimming"]
    assert abs(sum(out.values()) - 1) < 1e-4 and all(0 <= p <= 1 for p in out.values())


def test_four_concurrent_requests_each_get_their_own_classes(client, avi):
    from gradio_client import handle_file

    lists = [["ball", "dog"], ["car", "swimming", "running"], ["a cat", "a guitar", "a bike", "a tree"],
             ["jumping", "waving hand", "cooking", "reading", "surfing"]]
    jobs = [client.submit(handle_file(str(avi)), ", ".join(names), 4 + 2 * i, i, api_name="/explain")
            for i, names in enumerate(lists)]
    results = [job.result(timeout=180) for job in jobs]
    for i, (names, out) in enumerate(zip(lists, results)):
        assert list(out["probs"]) == names and out["class_names"] == names
        assert out["num_frames"] == 4 + 2 * i and out["r"] == i


def test_concurrent_clients_in_threads(app, avi):
    """Separate clients (separate sessions) at once, classify and explain mixed."""
    from gradio_client import Client, handle_file

    def call(i: int):
        c = Client(app[0], verbose=False)
        names = [f"class {i} {j}" for j in range(i + 2)]
        if i % 2:
            return names, c.predict(handle_file(str(avi)), "\n".join(names), api_name="/classify")
        return names, c.predict(handle_file(str(avi)), ",".join(names), 8, 1, api_name="/explain")["probs"]

    with ThreadPoolExecutor(4) as pool:
        for names, probs in pool.map(call, range(4)):
            assert list(probs) == names


@pytest.mark.parametrize(
    "kind, expect",
    [
        ("empty classes", "no class names"),
        ("duplicate classes", "duplicate class names"),
        ("too many classes", "at most"),
        ("no video", "No video"),
        ("text file", "not a video"),
        ("empty file", ""),
        ("too long", "max_duration_s"),
        ("frames out of range", "num_frames=40"),
        ("r too large", "outside 0.."),
    ],
)
def test_bad_input_is_answered_with_a_clear_error_and_server_stays_healthy(client, avi, tmp_path, kind, expect):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    video, classes, frames, r = handle_file(str(avi)), "ball, dog", 8, 1
    if kind == "empty classes":
        classes = " , \n "
    elif kind == "duplicate classes":
        classes = "ball, dog, Ball"
    elif kind == "too many classes":
        classes = ",".join(f"class {i}" for i in range(1001))
    elif kind == "no video":
        video = None
    elif kind == "text file":
        (tmp_path / "notes.mp4").write_text("this is not a video\n" * 10)
        video = handle_file(str(tmp_path / "notes.mp4"))
    elif kind == "empty file":
        (tmp_path / "empty.avi").write_bytes(b"")
        video = handle_file(str(tmp_path / "empty.avi"))
    elif kind == "too long":
        video = handle_file(str(write_clip(tmp_path / "long.avi", seconds=MAX_DURATION_S + 10, fps=2, size=(32, 32))))
    elif kind == "frames out of range":
        frames = 40
    elif kind == "r too large":
        r = 10_000
    with pytest.raises(AppError) as err:
        client.predict(video, classes, frames, r, api_name="/explain")
    message = str(err.value)
    assert expect.lower() in message.lower(), message
    assert "Traceback" not in message and "/tmp/gradio" not in message
    assert list(healthy(client, avi)) == ["ball", "dog"]


def test_server_side_file_paths_are_never_read(app, client, avi):
    """handle_file() uploads the client's own copy; a raw server path in the payload is refused, with one
    answer for every such path (tests/integration/test_security.py tries many more)."""
    import httpx
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="not accepted") as err:  # the client uploaded its own /etc/passwd
        client.predict(handle_file("/etc/passwd"), "a, b", api_name="/classify")
    assert "root:" not in str(err.value)
    base = app[0] + "gradio_api"
    payloads = [{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}},
                {"path": "/etc/passwd", "url": "file:///etc/passwd", "meta": {"_type": "gradio.FileData"}},
                {"path": str(ROOT / "assets" / "examples" / "waving.mp4"), "meta": {"_type": "gradio.FileData"}},
                {"path": "/etc/passwd"}, "/etc/passwd"]
    answers = set()
    for payload in payloads:
        event = httpx.post(f"{base}/call/classify", json={"data": [payload, "a, b"]}, timeout=30).json()["event_id"]
        with httpx.stream("GET", f"{base}/call/classify/{event}", timeout=60) as stream:
            text = "".join(stream.iter_text())
        assert "event: error" in text and "root:" not in text and "/etc" not in text, text
        answers.add(text.strip())
    assert len(answers) == 1, answers  # no detail: the same answer for every server-side path
    assert list(healthy(client, avi)) == ["ball", "dog"]


def test_tree_avi_whose_header_overstates_its_frames_explains_through_the_api(client):
    """Debian opencv-doc's tree.avi: the header says 444 frames, the stream holds 68 (29.6 s)."""
    from gradio_client import handle_file

    from tests.helpers.real_clips import opencv_doc_clip

    tree = handle_file(str(opencv_doc_clip("tree.avi")))
    out = client.predict(video=tree, class_names="a tree, a car, a dog", num_frames=8, r=1, api_name="/explain")
    assert list(out["probs"]) == ["a tree", "a car", "a dog"] and len(out["frames"]) == 8
    times = [f["time_s"] for f in out["frames"]]
    assert times == sorted(times) and times[-1] > 20  # sampled over the whole 29.6 s, not the first 68/15 s
    assert list(client.predict(tree, "a tree, a car", api_name="/classify")) == ["a tree", "a car"]


def test_upload_over_the_size_limit_is_refused(client, avi, tmp_path):
    from gradio_client import handle_file

    big = tmp_path / "big.avi"
    big.write_bytes(os.urandom(3 * 1024 * 1024))  # limit is 2 MB
    with pytest.raises(Exception, match="(?i)413|too large|maximum|size"):
        client.predict(handle_file(str(big)), "a, b", api_name="/classify")
    assert list(healthy(client, avi)) == ["ball", "dog"]


def test_the_page_is_served_before_the_model_and_an_early_request_waits_for_it(tmp_path, avi):
    """app.py serves the page, then loads the weights (issue 12's start time): a call made as soon as the page
    answers gets its result once the model is in, not an error."""
    from gradio_client import Client, handle_file

    proc, url, log = start_app(tmp_path, model="world", model_ready=False)
    try:
        early = "model ready" not in log.read_text()
        probs = Client(url, verbose=False).predict(handle_file(str(avi)), "waving a hand, a ball falling",
                                                   api_name="/classify")
        text = log.read_text()
        assert set(probs) == {"waving a hand", "a ball falling"} and abs(sum(probs.values()) - 1) < 1e-4
        assert text.index("page served") < text.index("model ready")
        assert early, "the model was ready before the page answered: nothing was served early"
    finally:
        stop_app(proc)


def test_a_model_that_cannot_load_exits_2_with_advice_and_no_traceback(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "GRADIO_ANALYTICS_ENABLED": "False"}
    for spec, words in [("clip:ViT-B-16/openai", "--model tiny"), (str(tmp_path / "missing" / "ckpt" / "x"), "tiny")]:
        start = time.monotonic()
        proc = subprocess.run([sys.executable, str(ROOT / "app.py"), "--model", spec, "--port", str(free_port())],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2, proc.stderr[-2000:]
        assert words in proc.stderr and "Traceback" not in proc.stderr, proc.stderr[-2000:]
        assert time.monotonic() - start < 120


def test_build_demo_wires_model_events_into_one_concurrency_group(tiny):
    import gradio as gr

    import ui
    from ui.events import MODEL_GROUP

    demo = ui.build(tiny, concurrency=3)
    assert isinstance(demo, gr.Blocks)
    fns = {fn.name: fn for fn in demo.fns.values()}
    model_fns = [fn for fn in fns.values() if fn.concurrency_id == MODEL_GROUP]
    assert {"run", "explain", "classify"} <= {fn.api_name for fn in model_fns}
    assert all(fn.concurrency_limit == 3 for fn in model_fns)
    public = {fn.api_name for fn in fns.values() if fn.api_visibility == "public"}
    assert public == {"explain", "classify"}
