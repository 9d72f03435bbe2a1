"""The SI magnifier insets of the views from above are legible: the joint space is magnified
to several pixels wide with its compression colour visible at the back in external rotation,
and the printed widths sit beside the wedge (front number at the front, back number at the
back), never on it. Checked on rendered pictures at several sizes and on the pure layout."""

from __future__ import annotations

import numpy as np
import pytest

from pelvis3d import Pose
from pelvis3d.render.drawing import text_size, to_display_many
from pelvis3d.render.overlays.inset_layout import densify, layout_inset, rect_hits_outline
from pelvis3d.render.scene import PelvisScene

pytestmark = pytest.mark.render


def _box_pixels(image, box):
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    return image[int(round(h * (1 - y1))) : int(round(h * (1 - y0))), int(round(w * x0)) : int(round(w * x1)), :3]


def _red(px):
    px = px.astype(int)
    return (px[..., 0] > px[..., 2] + 60) & (px[..., 0] > px[..., 1] + 50)


def _blue(px):
    px = px.astype(int)
    return px[..., 2] > px[..., 0] + 60


def _text_rect(actor):
    """The box (display pixels: left, bottom, right, top) of a left-justified, vertically
    centred text actor."""
    w, h = text_size(actor.GetTextProperty(), actor.GetInput())
    x, y = actor.GetPositionCoordinate().GetValue()[:2]
    return (x, y - h / 2, x + w, y + h / 2)


def _inset_geometry(scene, joint):
    layer = scene.layer("insets")
    ren, drawing, cut, _, _ = layer.insets[joint]
    wedge = cut.wedges[joint]
    pts = np.asarray(wedge.strip.points)
    n = len(pts) // 2
    a, b = to_display_many(ren, pts[:n]), to_display_many(ren, pts[n:])
    outline = densify(np.vstack([a, b[::-1], a[:1]]), 0.5)
    ends = {e.label: to_display_many(ren, e.position[None])[0] for e in wedge.ends}
    texts = {e.label: _text_rect(t) for e, t in zip(wedge.ends, drawing.texts[joint], strict=True)}
    return a, b, outline, ends, texts


@pytest.mark.parametrize("size", [(800, 600), (1920, 1080)])
def test_si_insets_magnify_the_joint_and_show_the_back_closing(pelvis, size):
    with PelvisScene(pelvis, size=size, view="top", overlays="all") as scene:
        scene.set_pose(Pose(rotation=1))
        image = scene.screenshot()
        layer = scene.layer("insets")
        assert layer.shown
        win_w, win_h = size
        for joint in ("left_si", "right_si"):
            box = layer.boxes[joint]
            px = _box_pixels(image, box)
            half = px.shape[0] // 2  # anterior is up in the inset: the lower half is the back
            assert _red(px[half:]).sum() > 25 * (win_h / 600) ** 2, joint  # compression at the back
            assert _blue(px[:half]).sum() > 25 * (win_h / 600) ** 2, joint  # gapping at the front
            assert _red(px[:half]).sum() < _red(px[half:]).sum(), joint
            a, b, outline, ends, texts = _inset_geometry(scene, joint)
            # the joint space is magnified: several pixels wide along most of its length
            widths = np.linalg.norm(a - b, axis=1)
            assert np.median(widths) >= 6 * win_h / 600, (joint, np.median(widths))
            # ... and spans most of the inset's height (its ends within the box)
            x0, y0, x1, y1 = box[0] * win_w, box[1] * win_h, box[2] * win_w, box[3] * win_h
            assert np.ptp(outline[:, 1]) > 0.6 * (y1 - y0), joint
            assert outline[:, 0].min() >= x0 and outline[:, 0].max() <= x1
            assert outline[:, 1].min() >= y0 and outline[:, 1].max() <= y1
            for label, rect in texts.items():
                # the numbers: inside the inset, clear of the wedge
                assert x0 <= rect[0] and rect[2] <= x1 and y0 <= rect[1] and rect[3] <= y1, (joint, label)
                assert not rect_hits_outline(rect, outline), (joint, label)
            # the front number at the front of the joint, the back number at the back
            assert (texts["front"][1] + texts["front"][3]) / 2 > (texts["back"][1] + texts["back"][3]) / 2
            assert abs((texts["front"][1] + texts["front"][3]) / 2 - ends["front"][1]) < 0.25 * (y1 - y0)
            assert abs((texts["back"][1] + texts["back"][3]) / 2 - ends["back"][1]) < 0.25 * (y1 - y0)


def test_internal_rotation_shows_the_back_of_the_si_insets_opening(pelvis):
    with PelvisScene(pelvis, size=(800, 600), view="top", overlays="all", allow_overlap=True) as scene:
        scene.set_pose(Pose(rotation=-1))
        image = scene.screenshot()
        for joint in ("left_si", "right_si"):
            px = _box_pixels(image, scene.layer("insets").boxes[joint])
            half = px.shape[0] // 2
            assert _blue(px[half:]).sum() > 25 and _red(px[:half]).sum() > 25, joint


def test_the_inset_column_clears_the_legend_and_a_caption_moved_to_the_top(pelvis):
    with PelvisScene(pelvis, size=(800, 600), view="top", overlays="all") as scene:
        boxes = scene.layer("insets").boxes
        legend_top = scene.layer("colormap").title.GetPositionCoordinate().GetValue()[1]
        assert min(b[1] for b in boxes.values()) > legend_top
    # a narrow picture puts the exaggeration statement at the top right: the insets stay under it
    with PelvisScene(pelvis, size=(700, 720), view="top", overlays="all") as scene:
        scene.set_pose(Pose(rotation=1))
        caption_y = scene.caption_actor.GetPositionCoordinate().GetValue()[1]
        assert caption_y > 0.5
        assert max(b[3] for b in scene.layer("insets").boxes.values()) < caption_y


def _synthetic_wedge(length=42.0, width=2.5, lean=10.0):
    """An oblique strip like an SI joint in its transverse section (mm): ``length`` up the
    box, leaning ``lean`` mm sideways from front (top) to back."""
    t = np.linspace(-0.5, 0.5, 40)
    centre = np.column_stack([-lean * t, length * t])
    side = np.column_stack([np.full_like(t, width / 2), np.zeros_like(t)])
    a, b = centre - side, centre + side
    return np.vstack([a, b[::-1], a[:1]]), [centre[-1], centre[0]]


@pytest.mark.parametrize("box", [(160, 143), (384, 257), (140, 130)])
def test_the_layout_magnifies_as_far_as_the_numbers_allow(box):
    outline, ends = _synthetic_wedge()
    sizes = [(82.0, 28.0), (82.0, 28.0)]
    layout = layout_inset(outline, ends, sizes, box, top_reserved=20, pad=4)
    px = densify(layout.to_px(outline), 0.5)
    assert px[:, 0].min() >= 0 and px[:, 0].max() <= box[0] and px[:, 1].min() >= 0
    assert px[:, 1].max() <= box[1] - 20
    assert len(layout.texts) == 2
    for rect in layout.texts:
        assert not rect_hits_outline(rect, px)
        assert rect[0] >= 0 and rect[2] <= box[0] and rect[1] >= 0 and rect[3] <= box[1] - 20
    front, back = layout.texts
    assert front[1] > back[1]  # the front (upper) end's number above the back end's
    # magnified to fill the height, or as near as the numbers beside it allow
    full_height = (box[1] - 20 - 8) / np.ptp(outline[:, 1])
    assert layout.scale <= full_height + 1e-9
    assert layout.scale >= 0.5 * min(full_height, (box[0] - 8 - 82 - 8) / np.ptp(outline[:, 0]))


@pytest.mark.parametrize("pose", [Pose(rotation=1), Pose(rotation=-0.5)])
def test_inset_titles_sit_on_white_whatever_bone_reaches_under_them(pelvis, pose):
    """The cut bone around a joint may reach the top of its inset: the title keeps a white band."""
    with PelvisScene(pelvis, size=(800, 600), view="top", overlays="all") as scene:
        scene.set_pose(pose)
        image = scene.screenshot()
        insets = scene.layer("insets")
        k = scene.pixel_scale
        h = image.shape[0]
        for name, (ren, _, _, title, _) in insets.insets.items():
            w_px, h_px = text_size(title.GetTextProperty(), title.GetInput())
            x, y = title.GetPositionCoordinate().GetComputedDisplayValue(ren)
            box = image[
                int((h * k - y - h_px) / k) + 1 : int((h * k - y) / k) - 1, int(x / k) + 1 : int((x + w_px) / k) - 1
            ]
            px = box.reshape(-1, 3).astype(int)
            light = px.min(axis=1) > 200  # the band (the letters are dark)
            assert light.mean() > 0.6, name
            # nothing of the bone's colour shows through the band
            bone = (abs(px[:, 0] - 239) < 8) & (abs(px[:, 1] - 230) < 8) & (abs(px[:, 2] - 210) < 8)
            assert bone.mean() < 0.05, name
