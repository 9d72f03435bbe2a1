"""What the pictures say: the SI joint closing at the back in its section, colours that mean
compression, the exaggeration always stated, and labels that do not collide.

Every check reads the geometry of the loaded anatomy (no built-in numbers), so it holds for
any pelvis whose joints open and close the way the article describes.
"""

from __future__ import annotations

import numpy as np
import pytest

from pelvis3d import Pose
from pelvis3d.render.drawing import text_size, to_display
from pelvis3d.render.overlays.text import describe_pose
from pelvis3d.render.scene import PelvisScene
from pelvis3d.render.section import SectionCut

pytestmark = pytest.mark.render


def _wedge_ends(pelvis, pose, exaggeration=5.0):
    cut = SectionCut(pelvis, "si")
    posed = pelvis.posed(pose, exaggeration)
    cut.update(posed, posed.transforms)
    return cut.wedges


@pytest.mark.parametrize("side", ["left", "right"])
def test_external_rotation_narrows_the_back_of_the_si_section_and_internal_widens_it(pelvis, side):
    neutral = _wedge_ends(pelvis, Pose())[f"{side}_si"]
    er = _wedge_ends(pelvis, Pose(rotation=1))[f"{side}_si"]
    ir = _wedge_ends(pelvis, Pose(rotation=-1))[f"{side}_si"]
    back = {
        w: next(e for e in wedge.ends if e.label == "back") for w, wedge in (("n", neutral), ("er", er), ("ir", ir))
    }
    front = {
        w: next(e for e in wedge.ends if e.label == "front") for w, wedge in (("n", neutral), ("er", er), ("ir", ir))
    }
    assert back["er"].width_mm < back["n"].width_mm < back["ir"].width_mm
    assert back["er"].change_mm < 0 < back["ir"].change_mm
    assert front["er"].width_mm > front["n"].width_mm > front["ir"].width_mm
    # the back is "back": behind the front in the pelvis frame
    assert back["n"].position[0] < front["n"].position[0]
    # the colours follow the shown change: the posterior part of the wedge compresses in ER
    wedge = er
    pts = np.asarray(wedge.strip.points)[: len(wedge.shown_change_mm)]
    posterior = pts[:, 0] < np.median(pts[:, 0])
    assert wedge.shown_change_mm[posterior].mean() < 0 < wedge.shown_change_mm[~posterior].mean()


@pytest.mark.parametrize("variant", ["adult", "female", "male"])
def test_the_si_section_cuts_the_joint_in_front_of_and_behind_its_rotation_axis(variant):
    """A section through the L's corner alone lies in front of the vertical axis, where
    external rotation only opens the joint: the section must show the joint on both sides
    of the axis, so its back visibly closes (at least half as much as its front opens)."""
    from pelvis3d import Pelvis

    pelvis = Pelvis() if variant == "adult" else Pelvis(variant)
    for side in ("left", "right"):
        pivot_x = pelvis.dofs[f"{side}_rotation"].pivot_mm[0]
        wedge = _wedge_ends(pelvis, Pose())[f"{side}_si"]
        x = np.asarray(wedge.strip.points)[:, 0] - pivot_x
        assert x.max() > 8 and x.min() < -8, (x.min(), x.max())
        er = {e.label: e for e in _wedge_ends(pelvis, Pose(rotation=0.5))[f"{side}_si"].ends}
        assert er["back"].change_mm < -0.5 * er["front"].change_mm < 0


def _pixel(image, xy):
    x, y = int(round(xy[0])), int(round(xy[1]))
    h = image.shape[0]
    patch = image[h - 1 - y - 1 : h - 1 - y + 2, x - 1 : x + 2, :3].reshape(-1, 3).astype(int)
    return patch.mean(axis=0)


@pytest.mark.parametrize(("rotation", "colour"), [(1.0, "red"), (-1.0, "blue")])
def test_the_section_view_colours_the_back_of_the_si_joint_by_its_change(pelvis, rotation, colour):
    with PelvisScene(pelvis, size=(800, 600), view="si-section", overlays="none", allow_overlap=True) as scene:
        scene.set_pose(Pose(rotation=rotation))
        image = scene.screenshot()
        wedges = scene.layer("si-section").cut.wedges
        for wedge in wedges.values():
            n = len(wedge.shown_change_mm)
            pts = np.asarray(wedge.strip.points)
            # the wedge's most posterior quad: midway between the bone and its partner
            i = int(np.argmin(pts[:n, 0]))
            j = i + 1 if i + 1 < n else i - 1
            mid = (pts[i] + pts[n + i] + pts[j] + pts[n + j]) / 4
            r, g, b = _pixel(image, to_display(scene.plotter.renderer, mid))
            if colour == "red":
                assert r > b + 60 and r > g + 40, (wedge.joint.name, r, g, b)
            else:
                assert b > r + 40, (wedge.joint.name, r, g, b)


def test_the_top_view_insets_show_both_si_joints_compressing_at_the_back(pelvis):
    with PelvisScene(pelvis, size=(1000, 750), view="top", overlays="insets,caption") as scene:
        scene.set_pose(Pose(rotation=1))
        image = scene.screenshot()[..., :3].astype(int)
        h, w = image.shape[:2]
        for joint in ("left_si", "right_si", "symphysis"):
            x0, y0, x1, y1 = scene.layer("insets").boxes[joint]
            box = image[int(h * (1 - y1)) : int(h * (1 - y0)), int(w * x0) : int(w * x1)]
            red = (box[..., 0] > box[..., 2] + 80) & (box[..., 0] > box[..., 1] + 60)
            blue = box[..., 2] > box[..., 0] + 80
            if joint == "symphysis":  # the front opens
                assert blue.sum() > 200 and red.sum() < 20, joint
            else:  # back closes (red), front opens (blue)
                assert red.sum() > 30 and blue.sum() > 30, joint
        scene.set_view("rear")  # no insets where the joints are seen from behind
        assert not scene.layer("insets").shown


@pytest.mark.parametrize("overlays", ["none", "labels,ghost", "colormap"])
def test_the_exaggeration_is_stated_whatever_the_overlays(pelvis, overlays):
    with PelvisScene(pelvis, size=(640, 480), view="top", overlays=overlays) as scene:
        posed = scene.set_pose(Pose(rotation=1))
        assert posed.exaggeration > 1  # (x5, or less where x5 would close a joint)
        assert f"exaggerated x{posed.exaggeration:g}" in scene.caption_actor.GetInput()
        image = scene.screenshot()[..., :3]
        corner = image[-int(480 * 0.06) :, int(640 * 0.55) :]
        assert (corner.astype(int).sum(axis=-1) < 400).sum() > 50  # dark text drawn there
        scene.set_pose(Pose())  # neutral: true and shown are the same
        if overlays == "none":
            assert scene.caption_actor.GetInput() == ""
        scene.set_exaggeration(1)
        scene.set_pose(Pose(rotation=1))
        assert "exaggerated" not in scene.caption_actor.GetInput()


def test_an_exaggeration_that_would_overlap_bones_is_reduced_and_said(pelvis):
    pose = Pose(rotation=-1)
    assert pelvis.posed(pose, 5).shown_metrics.contact  # x5 would put bone through bone
    with PelvisScene(pelvis, size=(640, 480), view="top", overlays="caption") as scene:
        posed = scene.set_pose(pose)
        assert 1 <= posed.exaggeration < 5
        assert not posed.shown_metrics.contact
        assert pelvis.posed(pose, posed.exaggeration + 0.1).shown_metrics.contact  # the largest to 0.1
        assert f"x{posed.exaggeration:g} - more would overlap" in scene.caption_actor.GetInput()
    with PelvisScene(pelvis, size=(640, 480), view="top", overlays="caption", allow_overlap=True) as scene:
        assert scene.set_pose(pose).exaggeration == 5


def test_titles_say_the_pose_in_words():
    assert describe_pose(Pose(rotation=1)) == "external rotation 1\u00b0 each side"
    assert describe_pose(Pose(pelvis_tilt=20)) == "whole pelvis tilted 20\u00b0 anteriorly"
    assert describe_pose(Pose(left_rotation=1.5, right_rotation=-0.8)) == (
        "left external rotation 1.5\u00b0, right internal rotation 0.8\u00b0"
    )
    assert describe_pose(Pose()) == "neutral"


def test_no_legend_on_a_neutral_picture_and_the_middle_tick_is_zero(pelvis):
    with PelvisScene(pelvis, size=(800, 600), view="top", overlays="colormap") as scene:
        scene.set_pose(Pose())
        layer = scene.layer("colormap")
        assert not any(a.GetVisibility() for a in layer.legend_actors())
        posed = scene.set_pose(Pose(rotation=1))
        assert all(a.GetVisibility() for a in layer.legend_actors())
        words = [a.GetInput() for a in layer.legend_words]
        assert "0" in words and "+0" not in words
        title = layer.title.GetInput()
        assert f"shown change (x{posed.exaggeration:g})" in title and "numbers: true" in title


def _label_boxes_and_leaders(scene):
    labels = scene.labels
    boxes, texts = [], []
    for i, (text, _) in enumerate(labels.items):
        actor = labels.text_actors[i]
        prop = actor.GetTextProperty()
        w, h = text_size(prop, text)
        x, y = actor.GetPositionCoordinate().GetValue()[:2]
        left = {0: x, 1: x - w / 2, 2: x - w}[prop.GetJustification()]
        boxes.append((left, y - h / 2, left + w, y + h / 2))
        texts.append(text)
    leaders = [labels.leaders[i] for i in range(len(labels.items))]
    return texts, boxes, leaders


def _segments_cross(p1, p2, q1, q2) -> bool:
    def orient(a, b, c):
        return np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))

    return orient(p1, p2, q1) * orient(p1, p2, q2) < 0 and orient(q1, q2, p1) * orient(q1, q2, p2) < 0


def _silhouette(scene, actor):
    """``actor`` drawn alone in flat black (no lighting, no colour map), ``(H, W, 3)`` int, row 0 at
    the bottom: a specular highlight on the bone is not mistaken for the white background."""
    prop, mapper = actor.GetProperty(), actor.GetMapper()
    saved = (prop.GetColor(), prop.GetLighting(), mapper.GetScalarVisibility())
    prop.SetColor(0.0, 0.0, 0.0)
    prop.LightingOff()
    mapper.ScalarVisibilityOff()
    try:
        return scene.screenshot()[::-1, :, :3].astype(int)
    finally:
        prop.SetColor(*saved[0])
        prop.SetLighting(saved[1])
        mapper.SetScalarVisibility(saved[2])


def _masks(scene):
    """Pixels of each bone (posed, drawn alone and flat: no ghost, colours, shading or text) and of
    the arrows (drawn alone), ``(H, W)`` bool, row 0 at the bottom (display coordinates)."""
    props = scene.plotter.renderer.GetViewProps()
    every = [props.GetItemAsObject(i) for i in range(props.GetNumberOfItems())]
    visible = [p for p in every if p.GetVisibility()]
    arrows = scene.layer("arrows")
    shown_arrows = [a for a in arrows.actors() if a.GetVisibility()] if arrows else []

    def alone(actors):
        for p in every:
            p.SetVisibility(False)
        for a in actors:
            a.SetVisibility(True)
        if len(actors) == 1 and actors[0] in scene.actors.values():
            return _silhouette(scene, actors[0])
        return scene.screenshot()[::-1, :, :3].astype(int)

    bodies = {body: alone([actor]).sum(axis=-1) < 700 for body, actor in scene.actors.items()}
    drawn = alone(shown_arrows)
    arrow = (drawn[..., 0] > drawn[..., 2] + 60) & (drawn.sum(axis=-1) < 700)
    for p in visible:
        p.SetVisibility(True)
    return bodies, arrow


def _walk(mask, start, end):
    """Mask values from ``end`` to ``start`` at 1 px steps."""
    n = int(np.ceil(np.linalg.norm(np.subtract(start, end)))) + 1
    pts = np.linspace(end, start, n).round().astype(int)
    h, w = mask.shape
    ok = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    out = np.zeros(n, bool)
    out[ok] = mask[pts[ok, 1], pts[ok, 0]]
    return out


#: Longest final stretch of a leader inside the bones' silhouette before its landmark, as a fraction
#: of the picture height: a landmark on the face of a bone (the SI joint seen from above lies under
#: the sacral ala) cannot be reached from outside in less.
FINAL_STRETCH = 0.25


@pytest.mark.parametrize(
    ("size", "overlays"),
    [
        ((400, 300), "labels,arrows"),
        ((800, 600), "labels,arrows"),
        ((1920, 1080), "labels,arrows"),
        ((3840, 2160), "labels,arrows"),
        ((400, 300), "all"),
        ((800, 600), "all"),
        ((1920, 1080), "all"),
    ],
)
@pytest.mark.parametrize("view", ["top", "rear", "front", "oblique", "inlet", "left"])
def test_leaders_cross_no_bone_arrow_or_leader_and_labels_stay_apart(pelvis, size, overlays, view):
    with PelvisScene(pelvis, size=size, view=view, overlays=overlays) as scene:
        scene.set_pose(Pose(rotation=1))
        scene.render()
        texts, boxes, leaders = _label_boxes_and_leaders(scene)
        assert texts
        bodies, arrows = _masks(scene)
        bones = np.logical_or.reduce(list(bodies.values()))
        w, h = size
        for i, (text, (start, end)) in enumerate(zip(texts, leaders, strict=True)):
            x0, y0, x1, y1 = boxes[i]
            assert x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h, text  # in the frame, not clipped
            on_bone = _walk(bones, start, end)
            # a joint's landmark lies in the gap between its two bones: the leader may end in that
            # gap (at most 4% of the height, then bone), and its final stretch starts after it
            gap = 0
            if text.startswith(("SI joint", "pubic symphysis")) and not on_bone[0] and on_bone.any():
                first = int(np.flatnonzero(on_bone)[0])
                gap = first if first <= 0.04 * h else 0
            outside = gap + np.flatnonzero(~on_bone[gap:])
            assert len(outside), text
            final = outside[0]  # px from the landmark to where the leader leaves the bone
            assert final <= FINAL_STRETCH * h, (text, final)
            assert not on_bone[outside[0] + 2 :].any(), (text, "crosses a bone")
            assert not _walk(arrows, start, end).any(), (text, "crosses an arrow")
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                assert not overlap, (texts[i], texts[j])
                assert not _segments_cross(*leaders[i], *leaders[j]), (texts[i], texts[j])


@pytest.mark.parametrize("size", [(400, 300), (800, 600)])
@pytest.mark.parametrize("view", ["top", "rear", "left", "oblique"])
def test_right_labels_point_right_and_views_label_what_they_show(pelvis, size, view):
    with PelvisScene(pelvis, size=size, view=view, overlays="labels") as scene:
        scene.set_pose(Pose(rotation=1))
        texts, boxes, leaders = _label_boxes_and_leaders(scene)
        if view == "top":
            for text, (_, end) in zip(texts, leaders, strict=True):
                if text.endswith("(R)"):
                    assert end[0] > size[0] / 2, text
                if text.endswith("(L)"):
                    assert end[0] < size[0] / 2, text
        if view == "rear":
            assert not any(t.startswith("SI joint") for t in texts)  # cannot be seen from behind
        if view == "left":
            assert texts and not any(t.endswith("(R)") for t in texts)  # only the near side
        if view == "oblique":  # from the front-right the left SI joint and hip socket are hidden
            assert [t for t in texts if t.startswith(("SI joint", "hip socket"))] == ["SI joint (R)", "hip socket (R)"]


def test_the_reduced_factor_is_remembered_per_pose_and_the_same_in_any_order(pelvis):
    from pelvis3d.motions.motion import get_motion
    from pelvis3d.render.exaggeration import ShownFactors

    motion = get_motion("internal-rotation", 1.0)
    poses = [motion.pose_at(float(t)) for t in motion.sample_times(9)][1:]
    forward, backward = ShownFactors(pelvis), ShownFactors(pelvis)
    ahead = [forward.shown(p, 5.0, "open").exaggeration for p in poses]
    behind = [backward.shown(p, 5.0, "open").exaggeration for p in reversed(poses)][::-1]
    assert ahead == behind and min(ahead) < 5  # history never changes an answer
    for pose, factor in zip(poses, ahead, strict=True):
        if factor < 5:  # the largest multiple of 0.1 that keeps the joints apart
            assert not pelvis.posed(pose, factor).shown_metrics.contact
            assert pelvis.posed(pose, round(factor + 0.1, 1)).shown_metrics.contact
    calls = forward.posed_count
    again = [forward.shown(p, 5.0, "open").exaggeration for p in poses]
    assert again == ahead and forward.posed_count == calls  # remembered: no new posed pelvis, no search


@pytest.mark.parametrize("size", [(384, 480), (512, 480), (640, 480)])
def test_the_caption_and_the_measurements_do_not_overlap_in_narrow_pictures(pelvis, size):
    # e.g. an exercise's pelvis inset (0.8 x its height): the statement must stay readable
    with PelvisScene(pelvis, size=size, view="top", overlays="measurements,orientation") as scene:
        scene.set_pose(Pose(rotation=-1))  # the longest caption: "... - more would overlap"
        scene.render()
        boxes = []
        for actor in (scene.caption_actor, scene.measure_actor):
            prop = actor.GetTextProperty()
            w, h = text_size(prop, actor.GetInput())
            x, y = actor.GetPositionCoordinate().GetComputedDisplayValue(scene.plotter.renderer)
            left = {0: x, 1: x - w / 2, 2: x - w}[prop.GetJustification()]
            boxes.append((left, y, left + w, y + h))
            assert left >= 0 and left + w <= size[0] + 1  # in the frame
        (a, b) = boxes
        assert "more would overlap" in scene.caption_actor.GetInput()
        assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3])


def test_a_leader_must_be_clear_in_each_pose_not_in_their_union():
    """Two poses of one bone: in one it is a single block, in the other its two parts leave a gap.
    The union is one block (a leader from the right seems to run over one bone); in the second
    pose that leader leaves the bone and crosses the next part, so the label is left out."""
    from pelvis3d.render.overlays.label_layout import LabelRequest, ObstacleGrid, Place, place_labels

    def grid(parts):
        g = ObstacleGrid((200, 400), 1.0)
        wall = np.array([(x, y) for x in range(40, 46) for y in range(0, 400)], float)
        g.add_points(wall, "sacrum", close=0, grow=0)  # blocks every leader from the left
        for x0, x1 in parts:
            bone = np.array([(x, y) for x in range(x0, x1) for y in range(30, 70)], float)
            g.add_points(bone, "left_innominate", close=0, grow=0)
        return g

    whole, split = grid([(100, 160)]), grid([(100, 120), (140, 160)])
    union = grid([(100, 160)])
    starts = [(10, 50), (190, 50)]
    places = tuple(Place(x, y, 0, (x, y - 3, x + 8, y + 3), (x, y)) for x, y in starts)
    label = LabelRequest((110.0, 50.0), (8, 6), places, ("left_innominate",))
    assert place_labels(union, [label])[0].x == 190  # the union hides the gap
    assert place_labels(split, [label])[0] is None
    assert place_labels([whole, split], [label])[0] is None


def test_a_label_that_only_a_crossing_leader_could_reach_is_left_out():
    from pelvis3d.render.overlays.label_layout import LabelRequest, ObstacleGrid, Place, place_labels

    grid = ObstacleGrid((200, 100), 1.0)
    wall = np.array([(x, y) for x in range(95, 106) for y in range(0, 100)], float)
    grid.add_points(wall, "left_innominate", close=0, grow=0)  # a bone across the middle

    def request(anchor, starts):
        places = tuple(Place(x, y, 0, (x, y - 3, x + 20, y + 3), (x, y)) for x, y in starts)
        return LabelRequest(anchor, (20, 6), places, ("sacrum",))

    reachable = request((50.0, 50.0), [(10, 50), (150, 50)])  # from the left margin: clear
    walled_in = request((150.0, 30.0), [(10, 30), (10, 70)])  # every leader crosses the bone
    places = place_labels(grid, [reachable, walled_in])
    assert places[0] is not None and places[0].x == 10
    assert places[1] is None


@pytest.mark.parametrize("rotation", [0.5, 1.0])
def test_the_oblique_view_labels_the_pubic_symphysis_it_shows_opening(pelvis, rotation):
    """The symphysis's landmark lies in the gap its two bones open: a leader may end there (the
    front opening is the picture's message; leaving the label out would hide it)."""
    with PelvisScene(pelvis, size=(1200, 900), view="oblique", overlays="all") as scene:
        scene.set_pose(Pose(rotation=rotation))
        scene.render()
        assert "pubic symphysis" in [text for text, _ in scene.layer("labels").items]
