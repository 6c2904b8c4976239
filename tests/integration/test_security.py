"""A public server reads only what its users uploaded: end to end against `python app.py --model tiny`.

The server runs with its own temp folder (TMPDIR: Gradio's upload cache and our scratch folders live
there), small limits (20 s, 2 MB), a 30 s cache lifetime and a 1 s heartbeat, so session ends and cache
expiry can be watched in seconds. Private files are planted outside that folder. Requests are sent the
way a hostile client would (tests/helpers/gradio_raw.py) and the way gradio_client does.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.helpers.clipgen import make_clip, overwrite_bytes, truncate
from tests.helpers.gradio_raw import Session, answer, call, file_ref, fn_index, upload
from tests.helpers.server import ROOT, start_app, stop_app
from tests.integration.test_app_api import write_clip

pytestmark = pytest.mark.slow
TOKEN = "SECRET-5b9f-do-not-leak"
CACHE_TTL_S = 30  # longer than a busy 2-core machine may keep an upload waiting in the queue


@contextlib.contextmanager
def environ(**values: str):
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("secure-app")
    (tmp / "srvtmp").mkdir()
    with environ(TMPDIR=str(tmp / "srvtmp"), GRADIO_HEARTBEAT_INTERVAL="1"):
        proc, url, log = start_app(tmp, "--max-duration-s", "20", "--max-upload-mb", "2", "--concurrency", "2",
                                   "--cache-ttl-s", str(CACHE_TTL_S))
    yield url, tmp / "srvtmp", log
    stop_app(proc)


@pytest.fixture(scope="module")
def private(tmp_path_factory) -> Path:
    """A folder outside the server's upload and temp folders, holding files nobody uploaded."""
    folder = tmp_path_factory.mktemp("private-home")
    (folder / "secret.txt").write_text(f"root:x:0:0:{TOKEN}:/root:/bin/bash\n" * 20)
    write_clip(folder / "server_video.avi")  # a video that exists on the server but was never uploaded
    (folder / "to_etc").symlink_to("/etc/passwd")
    return folder


def server_paths(private: Path, srvtmp: Path) -> dict[str, str]:
    cache = srvtmp / "gradio"
    cache.mkdir(exist_ok=True)
    planted = cache / "planted-link.txt"  # as if a symlink had got into the cache: it points out of it
    if not planted.is_symlink():
        planted.symlink_to(private / "secret.txt")
    return {
        "existing": str(private / "secret.txt"), "absent": str(private / "absent.txt"),
        "directory": str(private), "symlink into /etc": str(private / "to_etc"), "cache symlink": str(planted),
        "dot-dot": f"{cache}/0a/../../../{private.name}/secret.txt",
        "etc dot-dot": f"{cache}/../../../../../etc/passwd",
        "server video": str(private / "server_video.avi"), "/etc/passwd": "/etc/passwd",
        "relative": "app.py", "file URL": f"file://{private}/secret.txt",
    }


def assert_no_leak(text: str) -> None:
    assert TOKEN not in text and "root:x" not in text and "daemon:" not in text, text[:500]


def test_server_paths_get_one_answer_through_both_endpoints_and_the_ui(server, private):
    url, srvtmp, _ = server
    base = url + "gradio_api"
    answers = {}
    for kind, path in server_paths(private, srvtmp).items():
        for api in ("classify", "explain"):
            data = [file_ref(path), "a, b"] + ([8, 1] if api == "explain" else [])
            text = call(base, api, data)
            assert_no_leak(text)
            answers[(kind, api)] = answer(text)
    assert len(set(map(str, answers.values()))) == 1, answers  # existing, absent, ...: the same answer
    assert next(iter(answers.values()))[0] == "error"
    config = httpx.get(f"{url}config", timeout=30).json()
    run = next(d for d in config["dependencies"] if d.get("api_name") == "run")
    types = {c["id"]: c["type"] for c in config["components"]}
    ui_answers = set()
    with Session(base) as s:
        for kind, path in server_paths(private, srvtmp).items():
            for index, inputs in ((run["id"], run["inputs"]), (fn_index(url, "on_upload"), None)):
                data = [file_ref(path)] if inputs is None else [
                    file_ref(path) if types[i] == "video" else None for i in inputs]
                msg = s.run(index, data)
                assert_no_leak(str(msg))
                ui_answers.add((index, str(msg.get("output"))))
    assert len(ui_answers) == 2, ui_answers  # one answer per event, whatever the path
    assert not snapshot(srvtmp / "alt-explorer")  # no display copy made


def test_existing_and_absent_paths_take_the_same_time(server, private):
    base = server[0] + "gradio_api"
    times: dict[str, list[float]] = {"existing": [], "absent": []}
    for _ in range(6):
        for kind, path in (("existing", private / "secret.txt"), ("absent", private / "absent.txt")):
            start = time.perf_counter()
            call(base, "classify", [file_ref(str(path)), "a, b"])
            times[kind].append(time.perf_counter() - start)
    gap = abs(statistics.median(times["existing"]) - statistics.median(times["absent"]))
    assert gap < 0.5, times  # the file is never touched: only request noise separates the two


def test_file_route_serves_uploads_and_examples_only(server, private):
    url, srvtmp, _ = server
    base = url + "gradio_api"
    refused = {}
    for kind, path in server_paths(private, srvtmp).items():
        r = httpx.get(f"{base}/file={path}", timeout=30)
        assert_no_leak(r.text)
        refused[kind] = (r.status_code, r.text.replace(str(Path(os.path.abspath(path))), "<path>"))
    assert {code for code, _ in refused.values()} == {403}, refused
    assert refused["existing"] == refused["absent"]
    from ui.examples import example_rows

    example = Path(example_rows()[0][0])
    assert httpx.get(f"{base}/file={example}", timeout=30).content == example.read_bytes()
    assert httpx.get(f"{base}/file={example.parent}/../../app.py", timeout=30).status_code == 403
    clip = write_clip(srvtmp.parent / "mine.avi")
    assert httpx.get(f"{base}/file={upload(base, clip)}", timeout=30).content == clip.read_bytes()


def snapshot(*folders: Path, skip: tuple[Path, ...] = ()) -> set[Path]:
    """Every file under `folders`, except those under `skip`.

    The server may remove a folder while it is walked (a session ending): os.walk skips what vanished,
    where Path.rglob raises FileNotFoundError."""
    out = set()
    for folder in folders:
        for parent, _, names in os.walk(folder):
            for name in names:
                p = Path(parent) / name
                if p.is_file() and not p.is_symlink() and not any(p.is_relative_to(s) for s in skip):
                    out.add(p)
    return out


def test_over_long_and_over_size_videos_are_refused_and_leave_nothing_behind(server, tmp_path):
    from gradio_client import Client, handle_file
    from gradio_client.exceptions import AppError

    url, srvtmp, _ = server
    base = url + "gradio_api"
    long_clip = write_clip(tmp_path / "long.avi", seconds=30, fps=2, size=(32, 32))
    big = tmp_path / "big.avi"
    big.write_bytes(os.urandom(3 * 1024 * 1024))
    repo_before = {p.name for p in ROOT.iterdir()}
    outside_before = snapshot(srvtmp, skip=(srvtmp / "gradio",))
    client = Client(url, verbose=False)
    for api, extra in (("/classify", []), ("/explain", [8, 1])):
        with pytest.raises(AppError, match="max_duration_s"):
            client.predict(handle_file(str(long_clip)), "a, b", *extra, api_name=api)
        with pytest.raises(Exception, match="(?i)413|too large|maximum|size"):
            client.predict(handle_file(str(big)), "a, b", *extra, api_name=api)
    with Session(base) as s:  # the UI's upload path: a warning, no display copy
        msg = s.run(fn_index(url, "on_upload"), [file_ref(upload(base, long_clip))])
        assert msg["success"] and "display-" not in str(msg["output"]["data"][0])
    assert snapshot(srvtmp, skip=(srvtmp / "gradio",)) == outside_before  # no scratch file, no stray file
    assert {p.name for p in ROOT.iterdir()} == repo_before


def test_concurrent_damaged_and_good_uploads_good_ones_get_answers(server, tmp_path):
    from gradio_client import Client, handle_file

    url = server[0]
    good = [write_clip(tmp_path / f"good{i}.avi", seconds=2 + i, size=(96 + 16 * i, 72)) for i in range(4)]
    whole = make_clip(tmp_path / "whole.avi", num_frames=96, codec="MJPG")
    bad = [truncate(whole, tmp_path / "cut.avi", 0.15), overwrite_bytes(whole, tmp_path / "smashed.avi", 0.1, 0.8),
           tmp_path / "noise.mp4", tmp_path / "notes.mp4"]
    bad[2].write_bytes(os.urandom(40_000))
    bad[3].write_text(f"{TOKEN}\n" * 50)
    jobs = [(p, True) for p in good] + [(p, False) for p in bad]

    def ask(job):
        path = job[0]
        names = [f"class {path.stem} {j}" for j in range(3)]
        try:
            return job, Client(url, verbose=False).predict(handle_file(str(path)), ", ".join(names),
                                                           api_name="/classify"), names
        except Exception as exc:  # noqa: BLE001 - the damaged ones must fail; the test checks which
            return job, exc, names

    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(ask, jobs[::2] + jobs[1::2]))  # good and damaged interleaved
    for (path, ok), out, names in results:
        if ok:
            assert isinstance(out, dict) and list(out) == names, (path.name, out)
        else:
            assert isinstance(out, Exception) and path.name in str(out), (path.name, out)
            assert_no_leak(str(out))


def test_scratch_folders_go_when_sessions_end_and_the_cache_expires(server, tmp_path):
    url, srvtmp, _ = server
    base = url + "gradio_api"
    on_upload = fn_index(url, "on_upload")
    clips = [write_clip(tmp_path / f"c{i}.avi", seconds=1 + i / 10, size=(64, 48)) for i in range(20)]

    def session(clip: Path) -> bool:
        with Session(base) as s:
            msg = s.run(on_upload, [file_ref(upload(base, clip))])
            shown = msg["output"]["data"][0] if msg["success"] else None  # the player's new value
            return "/display-" in str(shown)

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(session, clips))
    scratch = srvtmp / "alt-explorer"
    deadline = time.monotonic() + 30
    while snapshot(scratch) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not snapshot(scratch), sorted(snapshot(scratch))[:5]  # every session's display copies removed
    from ui.examples import EXAMPLES

    def stale() -> list[Path]:
        return sorted(p for p in snapshot(srvtmp / "gradio") if p.name not in EXAMPLES)

    # Gradio sweeps every CACHE_TTL_S // 4 s for files older than CACHE_TTL_S (by ctime): the last upload goes
    # at the latest one sweep after it turns CACHE_TTL_S old; a loaded machine may delay the sweep's thread
    deadline = time.monotonic() + CACHE_TTL_S + 60
    while stale() and time.monotonic() < deadline:
        time.sleep(1)
    assert not stale(), stale()[:5]  # only the example clips are kept
