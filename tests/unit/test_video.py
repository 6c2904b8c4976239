"""alt.video: sampling, decoding across codecs, rotation, short/long/damaged files, bad input.

Every clip is built here (cv2.VideoWriter, or ffmpeg where the case needs it); each frame carries its
index (tests/clipgen.py), so the tests check which frame came back, not only shapes.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from alt.video import decode as vd
from alt.video.load import VideoClip, VideoError, clip_from_frames, load_video, load_video_views, sample_indices
from tests.helpers.clipgen import (
    SKIP_NO_FFMPEG,
    decode_index,
    ffmpeg_clip,
    ffmpeg_decode,
    has_ffmpeg,
    make_clip,
    make_frames,
    overwrite_bytes,
    truncate,
)

needs_ffmpeg = pytest.mark.skipif(not has_ffmpeg(), reason=SKIP_NO_FFMPEG)


def assert_valid(clip: VideoClip, t: int) -> None:
    assert clip.frames.dtype == np.uint8 and clip.frames.ndim == 4 and clip.frames.shape[0] == t
    assert clip.frames.shape[-1] == 3
    assert clip.timestamps.dtype == np.float64 and clip.timestamps.shape == (t,)
    assert np.all(np.diff(clip.timestamps) > 0), clip.timestamps
    assert clip.indices.dtype == np.int64 and np.all(np.diff(clip.indices) >= 0)
    assert 0 <= clip.indices.min() and clip.indices.max() < clip.num_frames_total


def decoded(clip: VideoClip) -> list[int]:
    return [decode_index(f) for f in clip.frames]


# ---------------------------------------------------------------- sampling


def test_sample_indices_are_segment_centres():
    assert sample_indices(16, 8).tolist() == [1, 3, 5, 7, 9, 11, 13, 15]
    assert sample_indices(100, 4, first=20, last=60).tolist() == [25, 35, 45, 55]


def test_sample_indices_repeat_when_video_is_short():
    idx = sample_indices(3, 8)
    assert idx.tolist() == [0, 0, 0, 1, 1, 2, 2, 2]
    assert sample_indices(1, 5).tolist() == [0] * 5


def test_views_are_distinct_and_stay_in_their_segments():
    views = [sample_indices(90, 3, views=3, view=v) for v in range(3)]
    assert [v.tolist() for v in views] == [[5, 35, 65], [15, 45, 75], [25, 55, 85]]


def test_jitter_is_seeded_and_stays_in_segments():
    a = sample_indices(800, 8, jitter=True, rng=1)
    assert a.tolist() == sample_indices(800, 8, jitter=True, rng=1).tolist()
    assert a.tolist() != sample_indices(800, 8, jitter=True, rng=2).tolist()
    assert np.all(a // 100 == np.arange(8))


# ---------------------------------------------------------------- decoding


def test_default_load_gives_centre_frames_with_metadata(tmp_path):
    path = make_clip(tmp_path / "a.mp4", num_frames=32, fps=8)
    clip = load_video(path, 8)
    assert_valid(clip, 8)
    assert clip.indices.tolist() == [2, 6, 10, 14, 18, 22, 26, 30]
    assert decoded(clip) == clip.indices.tolist()
    assert clip.frames.shape == (8, 48, 64, 3) and clip.source_size == (64, 48)
    assert clip.fps == 8 and clip.duration == 4.0 and clip.num_frames_total == 32
    assert not clip.repeated and clip.num_unique == 8
    np.testing.assert_allclose(clip.timestamps, clip.indices / 8.0, atol=1e-6)
    # colours come out RGB: the square of frame 2 is red-dominant (R=241, G=102, B=40)
    square = clip.frames[0][30, :].astype(int)
    assert (square[:, 0] - square[:, 2]).max() > 120


CV2_CODECS = [("a.mp4", "mp4v"), ("a.avi", "MJPG"), ("a.avi", "XVID"), ("a.mkv", "mp4v")]
FFMPEG_CODECS = [("h264.mp4", "libx264", ()), ("h264.mov", "libx264", ()), ("mpeg4.avi", "mpeg4", ()),
                 ("msmpeg4.avi", "msmpeg4", ()), ("mjpeg.avi", "mjpeg", ()), ("cinepak.avi", "cinepak", ()),
                 ("vp8.webm", "libvpx", ("-b:v", "1M")), ("vp9.webm", "libvpx-vp9", ("-b:v", "1M")),
                 ("anim.gif", "gif", ())]


@pytest.mark.parametrize("name,fourcc", CV2_CODECS)
def test_cv2_codecs_seek_and_sequential_give_the_sampled_frames(tmp_path, name, fourcc):
    path = make_clip(tmp_path / name, num_frames=120, codec=fourcc)
    for seek in (True, False):
        clip = load_video(path, 6, seek=seek)
        assert_valid(clip, 6)
        assert decoded(clip) == clip.indices.tolist(), (seek, clip.decode_mode)


@needs_ffmpeg
@pytest.mark.parametrize("name,vcodec,extra", FFMPEG_CODECS)
def test_ffmpeg_codecs_seek_and_sequential_give_the_sampled_frames(tmp_path, name, vcodec, extra):
    pix = {"gif": "", "cinepak": "", "mjpeg": "yuvj420p"}.get(vcodec, "yuv420p")
    path = ffmpeg_clip(tmp_path / name, num_frames=120, vcodec=vcodec, pix_fmt=pix, extra=("-g", "10", *extra))
    auto = load_video(path, 6)
    assert_valid(auto, 6)
    for seek in (True, False):
        clip = load_video(path, 6, seek=seek)
        assert decoded(clip) == clip.indices.tolist(), (seek, clip.decode_mode)
        assert clip.indices.tolist() == auto.indices.tolist()


def test_long_video_is_sought_not_read(tmp_path):
    path = make_clip(tmp_path / "long.avi", num_frames=400, codec="MJPG")
    clip = load_video(path, 4)
    assert clip.decode_mode == "seek"
    assert decoded(clip) == [50, 150, 250, 350 % 256]  # the drawn code has 8 bits


def test_seek_landing_elsewhere_falls_back_to_sequential(tmp_path, monkeypatch):
    path = make_clip(tmp_path / "a.avi", num_frames=400, codec="MJPG")

    class Lying:  # a capture whose seeks land one frame early and says so
        def __init__(self, cap):
            self.cap = cap

        def set(self, prop, value):
            if prop == cv2.CAP_PROP_POS_FRAMES:
                value = max(0, value - 1)
            return self.cap.set(prop, value)

        def __getattr__(self, name):
            return getattr(self.cap, name)

    real_open = vd.open_capture
    monkeypatch.setattr(vd, "open_capture", lambda p, t: Lying(real_open(p, t)))
    clip = load_video(path, 4, seek=True)
    assert clip.decode_mode == "sequential"
    assert decoded(clip) == [50, 150, 250, 350 % 256]  # the drawn code has 8 bits


@needs_ffmpeg
@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_rotation_metadata_is_applied_like_ffmpeg(tmp_path, rotate):
    path = ffmpeg_clip(tmp_path / "phone.mp4", num_frames=8, size=(64, 48), rotate=rotate)
    clip = load_video(path, 8)
    expected = ffmpeg_decode(path)  # ffmpeg's own player view (auto-rotated)
    assert clip.frames.shape[1:3] == expected.shape[1:3] == ((64, 48) if rotate != 180 else (48, 64))
    assert clip.source_size == (expected.shape[2], expected.shape[1])
    assert np.abs(clip.frames.astype(int) - expected.astype(int)).mean() < 4
    # ffmpeg 5 and 6+ write the tag with opposite signs; clip.rotation is what was applied (clockwise)
    assert clip.rotation in (rotate, 360 - rotate)
    upright = [np.rot90(f, k=clip.rotation // 90) for f in clip.frames]  # np.rot90 turns counter-clockwise
    assert [decode_index(f) for f in upright] == list(range(8))


@needs_ffmpeg
def test_grayscale_source_comes_out_rgb(tmp_path):
    path = ffmpeg_clip(tmp_path / "gray.mkv", num_frames=16, vcodec="ffv1", pix_fmt="gray")
    clip = load_video(path, 4)
    assert_valid(clip, 4)
    assert np.array_equal(clip.frames[..., 0], clip.frames[..., 1])
    assert np.array_equal(clip.frames[..., 1], clip.frames[..., 2])
    assert decoded(clip) == clip.indices.tolist()


@needs_ffmpeg
def test_variable_frame_rate_timestamps_follow_the_stream(tmp_path):
    # frames 0..15 every 0.125 s, then every 0.375 s
    setpts = "setpts='if(lt(N,16),N,16+(N-16)*3)/(8*TB)'"
    path = ffmpeg_clip(tmp_path / "vfr.mp4", num_frames=32, extra=("-vf", setpts, "-fps_mode", "vfr"))
    clip = load_video(path, 8)
    assert_valid(clip, 8)
    assert decoded(clip) == clip.indices.tolist()
    true_t = np.where(clip.indices < 16, clip.indices * 0.125, 2.0 + (clip.indices - 16) * 0.375)
    np.testing.assert_allclose(clip.timestamps, true_t, atol=0.01)


@needs_ffmpeg
def test_4k_frames_are_downscaled(tmp_path):
    path = ffmpeg_clip(tmp_path / "big.mp4", num_frames=3, size=(3840, 2160), extra=("-preset", "ultrafast"))
    clip = load_video(path, 2, max_side=512)
    assert clip.frames.shape == (2, 288, 512, 3) and clip.source_size == (3840, 2160)


@pytest.mark.parametrize("size", [(8, 6), (320, 16), (16, 240)])
def test_tiny_and_extreme_aspect_sizes(tmp_path, size):
    clip = load_video(make_clip(tmp_path / "a.avi", num_frames=10, size=size, codec="MJPG"), 4)
    assert_valid(clip, 4)
    assert clip.frames.shape[1:3] == (size[1], size[0])


def test_one_frame_video_repeats_and_says_so(tmp_path):
    clip = load_video(make_clip(tmp_path / "one.mp4", num_frames=1), 8)
    assert_valid(clip, 8)
    assert clip.repeated and clip.num_unique == 1 and clip.indices.tolist() == [0] * 8
    assert np.all(clip.frames == clip.frames[0])


def test_short_video_repeats_frames_in_order(tmp_path):
    clip = load_video(make_clip(tmp_path / "three.avi", num_frames=3, codec="MJPG"), 8)
    assert_valid(clip, 8)
    assert clip.num_unique == 3 and decoded(clip) == [0, 0, 0, 1, 1, 2, 2, 2]


def test_still_image_gives_repeated_frames(tmp_path):
    path = tmp_path / "still.png"
    cv2.imwrite(str(path), cv2.cvtColor(make_frames(6)[5], cv2.COLOR_RGB2BGR))
    clip = load_video(path, 4)
    assert_valid(clip, 4)
    assert clip.repeated and clip.num_frames_total == 1 and decoded(clip) == [5] * 4


def test_time_window_samples_inside_it(tmp_path):
    path = make_clip(tmp_path / "a.avi", num_frames=80, fps=8, codec="MJPG")  # 10 s
    clip = load_video(path, 4, start=2.0, end=6.0)
    assert clip.indices.tolist() == [20, 28, 36, 44] and decoded(clip) == [20, 28, 36, 44]
    assert clip.window == (2.0, 6.0) and np.all((clip.timestamps >= 2) & (clip.timestamps < 6))
    with pytest.raises(VideoError, match="window"):
        load_video(path, 4, start=20.0)


def test_views_decode_once_and_match_single_view_loads(tmp_path):
    path = make_clip(tmp_path / "a.avi", num_frames=90, codec="MJPG")
    views = load_video_views(path, 3, views=3)
    assert [v.indices.tolist() for v in views] == [[5, 35, 65], [15, 45, 75], [25, 55, 85]]
    for v, clip in enumerate(views):
        assert clip.view == (v, 3)
        assert np.array_equal(clip.frames, load_video(path, 3, views=3, view=v).frames)


def test_jitter_load_is_reproducible(tmp_path):
    path = make_clip(tmp_path / "a.avi", num_frames=64, codec="MJPG")
    a = load_video(path, 4, jitter=True, seed=3)
    assert a.indices.tolist() == load_video(path, 4, jitter=True, seed=3).indices.tolist()
    assert decoded(a) == a.indices.tolist()


# ---------------------------------------------------------------- damaged files


@pytest.mark.parametrize("name,fourcc", [("bad.avi", "MJPG"), ("bad.mkv", "MJPG"), ("bad.mp4", "mp4v")])
@pytest.mark.parametrize("where", [0.3, 0.5])
def test_bytes_overwritten_mid_stream_still_load_in_order(tmp_path, name, fourcc, where):
    good = make_clip(tmp_path / ("good" + name[3:]), num_frames=96, codec=fourcc)
    bad = overwrite_bytes(good, tmp_path / name, start_frac=where, length_frac=0.05)
    clip = load_video(bad, 8)
    assert_valid(clip, 8)
    got = decoded(clip)
    assert got == sorted(got), got  # still in temporal order
    # damaged frames are replaced by decoded neighbours; frames before the damage are exact
    assert got[:2] == clip.indices[:2].tolist()


@pytest.mark.parametrize("name,fourcc", [("bad.mp4", "mp4v"), ("bad.avi", "MJPG"), ("bad.mkv", "MJPG")])
@pytest.mark.parametrize("where,length", [(0.4, 0.05), (0.45, 0.1), (0.5, 0.05)])
def test_frames_after_mid_stream_damage_are_the_right_ones(tmp_path, name, fourcc, where, length):
    # damage in the middle third: the frames sampled from the last third are found past it (by seeking
    # or reading on), not replaced by the last frame before the damage, and carry their true index
    good = make_clip(tmp_path / ("good" + name[3:]), num_frames=96, codec=fourcc)
    bad = overwrite_bytes(good, tmp_path / name, start_frac=where, length_frac=length)
    clip = load_video(bad, 9)
    assert_valid(clip, 9)
    assert clip.num_frames_total == 96
    last = clip.indices[6:].tolist()
    assert decoded(clip)[6:] == last and all(i >= 64 for i in last), (decoded(clip), clip.indices)
    assert clip.num_missing <= 3


def test_truncated_file_uses_the_frames_that_decode(tmp_path):
    good = make_clip(tmp_path / "good.avi", num_frames=96, codec="MJPG")
    cut = truncate(good, tmp_path / "cut.avi", keep_frac=0.7)
    clip = load_video(cut, 8)
    assert_valid(clip, 8)
    assert 48 <= clip.num_frames_total < 96
    assert decoded(clip) == clip.indices.tolist()


def test_mostly_truncated_file_is_refused(tmp_path):
    good = make_clip(tmp_path / "good.avi", num_frames=96, codec="MJPG")
    cut = truncate(good, tmp_path / "cut.avi", keep_frac=0.2)
    with pytest.raises(VideoError, match=r"cut\.avi: only \d+ of 96 frames decode"):
        load_video(cut, 8)


def test_truncated_mp4_without_index_is_refused(tmp_path):
    cut = truncate(make_clip(tmp_path / "good.mp4", num_frames=32), tmp_path / "cut.mp4", keep_frac=0.5)
    with pytest.raises(VideoError, match="cut.mp4"):
        load_video(cut, 8)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("kind,match", [
    ("missing", "no such file"), ("directory", "is a directory"), ("empty", "empty file"),
    ("text", "not a video file"), ("random", "cannot be opened as a video"),
])
def test_bad_input_raises_video_error_naming_file(tmp_path, kind, match):
    path = tmp_path / "clip.mp4"
    if kind == "directory":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("this is not a video\n" * 20)
    elif kind == "random":
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoError, match=match) as err:
        load_video(path)
    assert str(path) in str(err.value) and isinstance(err.value, ValueError)


def test_limits_on_size_duration_and_time(tmp_path):
    path = make_clip(tmp_path / "a.mp4", num_frames=32, fps=8)
    with pytest.raises(VideoError, match="64x48 exceed max_pixels"):
        load_video(path, max_pixels=1000)
    with pytest.raises(VideoError, match="max_duration_s"):
        load_video(path, max_duration_s=1.0)
    with pytest.raises(VideoError, match="timeout_s"):
        load_video(path, timeout_s=0.0)


def test_clip_from_frames_wraps_arrays():
    gray = make_frames(5)[..., 0]  # [T, H, W]
    clip = clip_from_frames(gray, fps=10)
    assert_valid(clip, 5)
    assert clip.duration == 0.5 and clip.frames.shape == (5, 48, 64, 3)
    with pytest.raises(VideoError, match="uint8"):
        clip_from_frames(np.zeros((2, 4, 4, 3), np.float32))
    with pytest.raises(VideoError, match="T, H, W >= 1"):
        clip_from_frames(np.zeros((0, 4, 4, 3), np.uint8))


def test_isolated_load_matches_in_process_and_reports_errors(tmp_path):
    path = make_clip(tmp_path / "a.avi", num_frames=16, codec="MJPG")
    assert np.array_equal(load_video(path, 4, isolate=True).frames, load_video(path, 4).frames)
    with pytest.raises(VideoError, match="empty file"):
        (tmp_path / "e.mp4").write_bytes(b"")
        load_video(tmp_path / "e.mp4", isolate=True)
