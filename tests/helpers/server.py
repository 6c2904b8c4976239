"""Starting and stopping the real app (`python app.py`) on a free local port, for API and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY = "model ready"  # what app.py logs once the weights are loaded and warmed up


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(tmp: Path, *extra: str, model: str = "tiny", timeout_s: float = 240.0,
              model_ready: bool = True) -> tuple[subprocess.Popen, str, Path]:
    """Start `python app.py --model MODEL` on a free port; wait until it answers and, with `model_ready`, until
    its log says the model is loaded (the page is served before: ui/model_slot.py). Returns (proc, url, log)."""
    import httpx

    port = free_port()
    log = tmp / f"app-{port}.log"
    env = {**os.environ, "ALT_CACHE_DIR": str(tmp / "cache"), "GRADIO_ANALYTICS_ENABLED": "False",
           "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, str(ROOT / "app.py"), "--model", model, "--port", str(port), *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=2).status_code == 200 and (not model_ready or READY in log.read_text()):
                return proc, url, log
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"app not ready after {timeout_s} s:\n{log.read_text()[-3000:]}")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
