"""Talking to a running Gradio app over plain HTTP, the way a browser or a hostile client does.

gradio_client only sends well-formed requests; these helpers send whatever a test wants: raw file
references in the payload, calls to the UI's own (private) events by their index, and a browser-like
session whose heartbeat connection can be closed to end the session.

    base = url + "gradio_api"
    path = upload(base, Path("clip.avi"))                       # server-side path of an upload
    text = call(base, "classify", [file_ref(path), "a, b"])     # the SSE answer of a public endpoint
    with Session(base) as s:                                     # heartbeat open = session alive
        msg = s.run(fn_index(url, "on_upload"), [file_ref(path)])
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import httpx


def file_ref(path: str, **extra: Any) -> dict:
    """A FileData reference to a path on the server, as the API takes it."""
    return {"path": str(path), "meta": {"_type": "gradio.FileData"}, **extra}


def upload(base: str, path: Path) -> str:
    """Upload a local file through POST /upload; returns the path the server stored it at."""
    with path.open("rb") as f:
        r = httpx.post(f"{base}/upload", files={"files": (path.name, f)}, timeout=60)
    r.raise_for_status()
    return r.json()[0]


def call(base: str, api_name: str, data: list, timeout: float = 120) -> str:
    """Call a public endpoint through /call/<api_name>; returns the whole SSE answer as text."""
    r = httpx.post(f"{base}/call/{api_name}", json={"data": data}, timeout=30)
    if "event_id" not in r.json():
        return r.text
    with httpx.stream("GET", f"{base}/call/{api_name}/{r.json()['event_id']}", timeout=timeout) as s:
        return "".join(s.iter_text())


def answer(sse: str) -> tuple[str, Any]:
    """(event, data) of the last event of an SSE answer from `call`."""
    event, data = "", None
    for line in sse.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = json.loads(line.split(":", 1)[1])
    return event, data


def fn_index(url: str, name: str) -> int:
    """Index of the event whose function is `name` (UI events are private but callable by index)."""
    config = httpx.get(f"{url}config", timeout=30).json()
    return next(d["id"] for d in config["dependencies"] if d.get("api_name") == name)


class Session:
    """A browser-like session: a heartbeat connection (closing it ends the session) and queue calls."""

    def __init__(self, base: str) -> None:
        self.base, self.hash = base, uuid.uuid4().hex[:11]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True)

    def _beat(self) -> None:
        with httpx.Client(timeout=None) as client, client.stream("GET", f"{self.base}/heartbeat/{self.hash}") as s:
            for _ in s.iter_raw():
                if self._stop.is_set():
                    return

    def __enter__(self) -> Session:
        self._thread.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()  # the next heartbeat chunk closes the connection: Gradio runs the unload events
        self._thread.join(60)

    def run(self, index: int, data: list, timeout: float = 120) -> dict:
        """Run event `index` with `data` in this session; returns the process_completed message."""
        body = {"data": data, "fn_index": index, "session_hash": self.hash, "event_data": None, "trigger_id": None}
        httpx.post(f"{self.base}/queue/join", json=body, timeout=30).raise_for_status()
        deadline = time.monotonic() + timeout
        with httpx.stream("GET", f"{self.base}/queue/data", params={"session_hash": self.hash},
                          timeout=timeout) as s:
            for line in s.iter_lines():
                if line.startswith("data:"):
                    msg = json.loads(line[5:])
                    if msg.get("msg") == "process_completed":
                        return msg
                if time.monotonic() > deadline:
                    break
        raise TimeoutError(f"event {index} did not complete in {timeout} s")
