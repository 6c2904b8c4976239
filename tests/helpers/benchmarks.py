"""Miniature benchmarks in their official layouts: real file names and annotation formats, a few tiny
generated clips per class (32 px, 6 frames), so the readers and protocols can be tested in seconds.

    from tests.helpers.benchmarks import make_hmdb, make_ucf, make_kinetics, make_kinetics400, make_ssv2
    info = make_hmdb(tmp_path)   # tmp_path/hmdb51/<class>/*.avi + tmp_path/testTrainMulti_7030_splits/
    info["members"][1]["test"]   # {(class, video name)} expected in split 1's test part

Every builder returns the paths it wrote and the membership the annotations define, computed here
independently of the readers.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.clipgen import make_clip

SIZE, FRAMES = (32, 32), 6
HMDB_CLASSES = ("brush_hair", "cartwheel", "catch")
UCF_CLASSES = ("ApplyEyeMakeup", "Archery", "YoYo")
# Kinetics-600 classes: the first three are not Kinetics-400 classes, the last three are
K600_NEW = ("acting in play", "adjusting glasses", "arguing")
K600_OLD = ("abseiling", "air drumming", "archery")
SSV2_TEMPLATES = ("Pushing [something] from left to right", "Putting [something] on a surface",
                  "Holding [something] next to [something]")


def clip(path: Path) -> Path:
    """One tiny clip at `path` (VP8 for .webm, MJPG for .avi, mp4v for .mp4)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return make_clip(path, num_frames=FRAMES, size=SIZE, codec="VP80" if path.suffix == ".webm" else None)


def hmdb_flag(i: int, split: int) -> str:
    """Split `split`'s flag of a class's i-th video: each split tests a different video, one is unused."""
    return "2" if i == split - 1 else "0" if i == (split % 4) + 1 else "1"


def make_hmdb(base: Path, classes: tuple[str, ...] = HMDB_CLASSES, per_class: int = 4) -> dict:
    """`base/hmdb51/<class>/<video>.avi` and `base/testTrainMulti_7030_splits/<class>_test_split{1,2,3}.txt`."""
    videos, splits = base / "hmdb51", base / "testTrainMulti_7030_splits"
    splits.mkdir(parents=True, exist_ok=True)
    members: dict[int, dict[str, set]] = {n: {"train": set(), "test": set()} for n in (1, 2, 3)}
    for cls in classes:
        names = [f"{cls.title().replace('_', '')}_Video_{i}_{cls}_f_cm_np1_fr_med_{i}.avi" for i in range(per_class)]
        for name in names:
            clip(videos / cls / name)
        for n in (1, 2, 3):
            flags = [hmdb_flag(i, n) for i in range(per_class)]
            # the official files end every line with a space
            (splits / f"{cls}_test_split{n}.txt").write_text("".join(f"{v} {f} \n" for v, f in zip(names, flags)))
            for v, f in zip(names, flags):
                if f != "0":
                    members[n]["train" if f == "1" else "test"].add((cls, v))
    return {"videos": videos, "splits": splits, "classes": sorted(classes), "members": members}


def make_ucf(base: Path, classes: tuple[str, ...] = UCF_CLASSES, groups: int = 3) -> dict:
    """`base/UCF-101/<Class>/v_<Class>_gGG_c01.avi` and `base/ucfTrainTestlist/` (classInd, train/testlist0N):
    split N tests group N and trains on the other groups."""
    videos, lists = base / "UCF-101", base / "ucfTrainTestlist"
    lists.mkdir(parents=True, exist_ok=True)
    (lists / "classInd.txt").write_text("".join(f"{i} {c}\n" for i, c in enumerate(classes, 1)))
    members: dict[int, dict[str, set]] = {n: {"train": set(), "test": set()} for n in (1, 2, 3)}
    rel = {c: [f"{c}/v_{c}_g{g:02d}_c01.avi" for g in range(1, groups + 1)] for c in classes}
    for c in classes:
        for r in rel[c]:
            clip(videos / r)
    for n in (1, 2, 3):
        train = [(r, i) for i, c in enumerate(classes, 1) for g, r in enumerate(rel[c], 1) if g != n]
        test = [r for c in classes for g, r in enumerate(rel[c], 1) if g == n]
        (lists / f"trainlist{n:02d}.txt").write_text("".join(f"{r} {i}\r\n" for r, i in train))  # CRLF, as shipped
        (lists / f"testlist{n:02d}.txt").write_text("".join(f"{r}\r\n" for r in test))
        members[n]["train"] = {r for r, _ in train}
        members[n]["test"] = set(test)
    return {"videos": videos, "lists": lists, "classes": list(classes), "members": members}


def make_kinetics(base: Path, classes: tuple[str, ...] = K600_NEW + K600_OLD, per_class: int = 2) -> dict:
    """`base/k600/val.csv` (label,youtube_id,time_start,time_end,split) and
    `base/k600/val/<label>/<youtube_id>_<start>_<end>.mp4`; class splits `base/k600/ZS_split{1,2}_K600.csv`."""
    root = base / "k600"
    rows = []
    for a, c in enumerate(classes):
        for i in range(per_class):
            yid = f"k{a:02d}{i:02d}_x-Yz9"  # 11 characters, as YouTube ids
            start = 10 * i
            rows.append((c, yid, start, start + 10))
            clip(root / "val" / c / f"{yid}_{start:06d}_{start + 10:06d}.mp4")
    csv_path = root / "val.csv"
    csv_path.write_text("label,youtube_id,time_start,time_end,split\n" + "".join(
        f"{c},{y},{s},{e},val\n" for c, y, s, e in rows))
    splits = []
    for n, names in ((1, K600_NEW[:2]), (2, K600_NEW[1:])):
        p = root / f"ZS_split{n}_K600.csv"
        p.write_text("id,name\n" + "".join(f"{i},{c}\n" for i, c in enumerate(names)))
        splits.append((p, list(names)))
    return {"csv": csv_path, "videos": root / "val", "classes": sorted(classes), "rows": rows, "class_splits": splits}


def make_kinetics400(base: Path, classes: tuple[str, ...] = K600_OLD, train_per_class: int = 2) -> dict:
    """Kinetics-400 as the release and the CVDF mirror ship it: `base/kinetics400/annotations/{train,val}.csv`
    (`label,youtube_id,time_start,time_end,split,is_cc`), training videos in class folders
    (`kinetics400/train/<label>/<id>_<start>_<end>.mp4`, the downloader's layout) and validation videos flat
    (`kinetics400/val/<id>_<start>_<end>.mp4`, the mirror's tar layout); one validation video per class."""
    root = base / "kinetics400"
    (root / "annotations").mkdir(parents=True, exist_ok=True)
    members: dict[str, set] = {"train": set(), "val": set()}
    for part, count in (("train", train_per_class), ("val", 1)):
        rows = []
        for a, c in enumerate(classes):
            for i in range(count):
                yid = f"{part[0]}{a:02d}{i:02d}Kq_7Z-a"[:11]
                start = 30 + 10 * i
                name = f"{yid}_{start:06d}_{start + 10:06d}.mp4"
                clip(root / part / c / name if part == "train" else root / part / name)
                rows.append(f"{c},{yid},{start},{start + 10},{part},0\n")
                members[part].add((c, name))
        (root / "annotations" / f"{part}.csv").write_text("label,youtube_id,time_start,time_end,split,is_cc\n"
                                                          + "".join(rows))
    return {"annotations": root / "annotations", "root": root, "classes": sorted(classes), "members": members}


def make_ssv2(base: Path, templates: tuple[str, ...] = SSV2_TEMPLATES, per_class: int = 3) -> dict:
    """`base/labels/{labels,train,validation,test}.json` and `base/20bn-something-something-v2/<id>.webm`;
    the last video of every class is in validation, the rest in train."""
    labels, videos = base / "labels", base / "20bn-something-something-v2"
    labels.mkdir(parents=True, exist_ok=True)
    names = [t.replace("[", "").replace("]", "") for t in templates]
    (labels / "labels.json").write_text(json.dumps({n: str(i) for i, n in enumerate(names)}, indent=1))
    train, val = [], []
    for a, t in enumerate(templates):
        for i in range(per_class):
            vid = str(1000 * (a + 1) + i)
            clip(videos / f"{vid}.webm")
            filled = t.replace("[something]", "a cup")
            entry = {"id": vid, "label": filled.lower(), "template": t, "placeholders": ["a cup"] * t.count("[")}
            (val if i == per_class - 1 else train).append(entry)
    (labels / "train.json").write_text(json.dumps(train))
    (labels / "validation.json").write_text(json.dumps(val))
    (labels / "test.json").write_text(json.dumps([{"id": "99999"}]))
    return {"labels": labels, "videos": videos, "names": names, "train": train, "validation": val}
