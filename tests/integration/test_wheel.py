"""The package installs from a wheel and works outside the checkout (no `../assets`, no editable install).

The wheel is built from a copy of the package sources (so the checkout gets no build/ folder), with
this venv's setuptools and no network (PyPI's setuptools when this venv has none). It goes into a
fresh venv whose only link to this one is a .pth line naming this venv's site-packages (so torch and
the other dependencies are not installed again; .pth files inside that folder, such as the editable
install's, are not run). `alt classify` then runs from a folder outside the checkout with `--model
tiny`, reading the corpus, label lists and model presets from the installed package data.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.helpers.server import ROOT

pytestmark = pytest.mark.slow
SOURCES = ("alt", "ui", "visualizers", "pyproject.toml", "README.md", "LICENSE")


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=600, check=False, **kwargs)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif (ROOT / name).is_file():
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path_factory.mktemp("dist")
    # this venv's setuptools when it has one (no network); else pip fetches the build backend from PyPI
    offline = ["--no-build-isolation", "--no-index"] if importlib.util.find_spec("setuptools") else []
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", *offline, "-w", dist, src])
    wheels = list(dist.glob("alt_explorer-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def venv(tmp_path_factory, wheel) -> Path:
    env_dir = tmp_path_factory.mktemp("venv") / "fresh"
    run([sys.executable, "-m", "venv", env_dir])
    py = env_dir / "bin" / "python"
    purelib = Path(run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip())
    ours = [sysconfig.get_paths()["purelib"], *site.getsitepackages()]
    (purelib / "zz_dependencies.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n")
    run([py, "-m", "pip", "install", "--no-deps", "--no-index", "-q", wheel])
    return env_dir


def test_wheel_holds_the_package_data(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("alt/corpus/data/default.jsonl", "alt/corpus/data/labels/kinetics400.txt",
                   "alt/model/configs/tiny.json", "alt/video/ffmpeg.py", "ui/media.py", "visualizers/draw.py"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "assets/", "bench/")) for n in names)


def test_installed_wheel_classifies_an_example_clip_outside_the_checkout(venv, tmp_path):
    from ui.examples import example_rows

    clip = tmp_path / "clip.mp4"
    shutil.copy2(example_rows()[0][0], clip)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(ALT_CACHE_DIR=str(tmp_path / "cache"), HF_HUB_OFFLINE="1", HOME=str(tmp_path))
    code = ("import alt, ui, visualizers, alt.corpus.labels as L; print(alt.__file__); print(ui.__file__); "
            "print(L.LABELS_DIR)")
    where = run([venv / "bin" / "python", "-c", code], cwd=tmp_path, env=env).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where  # the installed copy, not the checkout
    out = run([venv / "bin" / "alt", "classify", clip, "--classes", "bouncing a ball, driving car, swimming",
               "--model", "tiny", "--frames", "4"], cwd=tmp_path, env=env).stdout
    probs = json.loads(out)["probs"]
    assert list(probs) == ["bouncing a ball", "driving car", "swimming"]
    assert abs(sum(probs.values()) - 1) < 1e-4
