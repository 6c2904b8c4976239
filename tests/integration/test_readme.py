"""The README's examples run as written: every code block marked `<!-- runnable -->` is executed.

A marked block runs in a fresh temporary folder that holds a link to the repository's `assets/`, with
the project's .venv on PATH, no network (HF_HUB_OFFLINE=1) and a private cache, so the README can only
use what a new user has after cloning: the offline models (`tiny`, `world`) and the example clips.
Python blocks run with the interpreter of this test run; bash blocks with `bash -euo pipefail`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARK = "<!-- runnable -->"
pytestmark = pytest.mark.slow


def runnable_blocks(text: str) -> list[tuple[int, str, str]]:
    """[(line number, language, code)] of the fenced blocks that directly follow the marker line."""
    lines = text.splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.strip() != MARK:
            continue
        fence = lines[i + 1].strip() if i + 1 < len(lines) else ""
        m = re.fullmatch(r"```(\w+)", fence)
        assert m, f"README line {i + 1}: {MARK} must be followed by a fenced block with a language"
        end = next(j for j in range(i + 2, len(lines)) if lines[j].strip() == "```")
        out.append((i + 2, m.group(1), "\n".join(lines[i + 2:end]) + "\n"))
    return out


BLOCKS = runnable_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def test_readme_marks_runnable_examples():
    langs = {lang for _, lang, _ in BLOCKS}
    assert len(BLOCKS) >= 2 and {"python", "bash"} <= langs


def test_marker_parser_finds_blocks():
    text = f"intro\n{MARK}\n```python\nprint(1)\n```\n```bash\nnot marked\n```\n"
    assert runnable_blocks(text) == [(3, "python", "print(1)\n")]


@pytest.mark.parametrize("line,lang,code", BLOCKS, ids=[f"line{n}-{lang}" for n, lang, _ in BLOCKS])
def test_readme_example_runs(tmp_path, line, lang, code):
    (tmp_path / "assets").symlink_to(ROOT / "assets")
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ALT_CACHE_DIR": str(tmp_path / "cache"),
           "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}", "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-c", code] if lang == "python" else ["bash", "-euo", "pipefail", "-c", code]
    proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"README block at line {line} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
