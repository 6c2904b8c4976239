"""Real clips from Debian's opencv-doc package, fetched once at test time and cached.

    from tests.helpers.real_clips import opencv_doc_clip
    tree = opencv_doc_clip("tree.avi")     # Cinepak AVI: header says 444 frames, the stream holds 68

`apt-get download opencv-doc` fetches the package (about 96 MB, from the machine's Debian mirror: no
other network), and only the clips are unpacked from it (`dpkg-deb --fsys-tarfile`). The cache folder is
$ALT_TEST_CLIPS (default ~/.cache/alt-explorer/test-clips), so the download happens once per machine.
The package lists must be present (`apt-get update`, which `make test` runs through `system-deps`).

Clips (paths inside the package): tree.avi, vtest.avi, Megamind.avi, Megamind_bugy.avi (examples/data),
box.mp4 and cup.mp4 (gzipped in the HTML docs, unzipped here).
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

MEMBERS = {
    "tree.avi": "usr/share/doc/opencv-doc/examples/data/tree.avi",
    "vtest.avi": "usr/share/doc/opencv-doc/examples/data/vtest.avi",
    "Megamind.avi": "usr/share/doc/opencv-doc/examples/data/Megamind.avi",
    "Megamind_bugy.avi": "usr/share/doc/opencv-doc/examples/data/Megamind_bugy.avi",
    "box.mp4": "usr/share/doc/opencv-doc/opencv4/html/box.mp4.gz",
    "cup.mp4": "usr/share/doc/opencv-doc/opencv4/html/cup.mp4.gz",
}


def cache_dir() -> Path:
    """Where the unpacked clips are kept between test runs."""
    return Path(os.environ.get("ALT_TEST_CLIPS") or Path.home() / ".cache" / "alt-explorer" / "test-clips")


def _fetch_all(dest: Path) -> None:
    """Download opencv-doc into a temp folder and unpack every clip of MEMBERS into `dest`."""
    with tempfile.TemporaryDirectory(prefix="opencv-doc-") as tmp:
        got = subprocess.run(["apt-get", "download", "-q", "opencv-doc"], cwd=tmp, capture_output=True, text=True,
                             timeout=600, check=False)
        debs = sorted(Path(tmp).glob("opencv-doc_*.deb"))
        if not debs:
            raise RuntimeError(f"apt-get download opencv-doc failed (run `apt-get update` first?): "
                               f"{got.stderr.strip()[-500:]}")
        wanted = {"./" + m: name for name, m in MEMBERS.items()}
        proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(debs[0])], stdout=subprocess.PIPE)
        with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
            for member in tar:
                name = wanted.get(member.name) or wanted.get("./" + member.name.lstrip("./"))
                if name is None or not member.isfile():
                    continue
                data = tar.extractfile(member).read()
                if member.name.endswith(".gz"):
                    data = gzip.decompress(data)
                part = dest / f".{name}.part"
                part.write_bytes(data)
                part.replace(dest / name)  # atomic: a clip is either complete or absent
        proc.wait(60)


def opencv_doc_clip(name: str) -> Path:
    """The path of clip `name` (a key of MEMBERS), fetching opencv-doc on first use.

    Skips the test only on machines without apt-get/dpkg-deb (not Debian); any other failure raises.
    """
    if name not in MEMBERS:
        raise KeyError(f"{name!r} is not one of {sorted(MEMBERS)}")
    dest = cache_dir()
    path = dest / name
    if path.is_file():
        return path
    if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
        pytest.skip("needs apt-get and dpkg-deb (Debian) to fetch opencv-doc's clips")
    dest.mkdir(parents=True, exist_ok=True)
    _fetch_all(dest)
    if not path.is_file():
        raise RuntimeError(f"opencv-doc holds no {MEMBERS[name]}")
    return path
