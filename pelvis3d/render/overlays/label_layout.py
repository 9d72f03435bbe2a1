"""Where landmark labels go: in the margins (or just above / below the bones on the midline), with
straight leader lines that reach their landmark without crossing a bone, an arrow, another leader
or another label.

Pure geometry in display pixels (from the bottom left), no VTK: the caller gives an obstacle
grid (the bones' silhouette and the arrows, see :class:`ObstacleGrid`), each label's landmark
and text size, and the places a label may take. :func:`place_labels` scores every place by how
far its leader runs inside the bone before the landmark (a short final stretch into the bone is
unavoidable for a landmark seen on the bone's face, e.g. the SI joint from above), rejects a
leader that leaves the bone and enters it again or touches an arrow, and picks the set of places
with the least total score in which no two label boxes intersect and no two leaders cross.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "ObstacleGrid",
    "Place",
    "LabelRequest",
    "place_labels",
    "segments_cross",
    "box_hits_segment",
    "joint_gap",
]

#: Score of a leader that crosses a bone it had left, or an arrow: used only when nothing else fits.
CROSSING = 1.0e6
#: The longest final stretch of a leader inside bone, as a fraction of the picture's height;
#: a longer one reads as pointing at the wrong bone, and counts as a crossing.
MAX_FINAL_STRETCH = 0.22
#: A joint's landmark lies in the gap between its two bones (the pubic gap opens to ~20 mm at x5):
#: a leader may end in that gap, up to this fraction of the picture height, before its final
#: stretch over the bones begins.
MAX_JOINT_GAP = 0.04


class ObstacleGrid:
    """A coarse occupancy grid of the picture: bone silhouette and arrows.

    Parameters
    ----------
    size : (int, int)
        Picture width and height, pixels.
    cell : float
        Grid cell size, pixels.
    """

    def __init__(self, size: Sequence[int], cell: float) -> None:
        self.width, self.height = int(size[0]), int(size[1])
        self.cell = float(cell)
        shape = (int(np.ceil(self.height / self.cell)) + 1, int(np.ceil(self.width / self.cell)) + 1)
        self.bone = np.zeros(shape, bool)
        self.arrow = np.zeros(shape, bool)
        #: the cells of each body (bone drawn alone), for leaders that must stay on their own bone
        self.bodies: dict[str, NDArray[np.bool_]] = {}

    def _cells(self, xy: NDArray) -> tuple[NDArray, NDArray]:
        ij = np.floor(np.asarray(xy, float) / self.cell).astype(int)
        col = np.clip(ij[:, 0], 0, self.bone.shape[1] - 1)
        row = np.clip(ij[:, 1], 0, self.bone.shape[0] - 1)
        return row, col

    def add_points(self, xy: NDArray, kind: str = "bone", close: int = 1, grow: int = 1) -> None:
        """Mark projected surface points ``xy`` (``(N, 2)`` pixels) as ``"arrow"`` or as bone of the
        body named ``kind``; ``close`` fills gaps between samples up to that many cells, ``grow``
        keeps leaders that many cells clear."""
        from scipy import ndimage

        xy = np.asarray(xy, float)
        inside = (xy[:, 0] >= 0) & (xy[:, 0] < self.width) & (xy[:, 1] >= 0) & (xy[:, 1] < self.height)
        grid = np.zeros_like(self.bone)
        row, col = self._cells(xy[inside])
        grid[row, col] = True
        if close:
            grid = ndimage.binary_closing(grid, iterations=close, border_value=0)
        if grow:
            grid = ndimage.binary_dilation(grid, iterations=grow)
        if kind == "arrow":
            self.arrow |= grid
            return
        self.bone |= grid
        if kind in self.bodies:
            self.bodies[kind] |= grid
        else:
            self.bodies[kind] = grid

    def add_triangles(self, xy: NDArray, faces: NDArray, body: str = "bone", grow: int = 1) -> None:
        """Mark the bone cells covered by triangles ``faces`` (``(F, 3)`` indices) of the projected
        vertices ``xy`` (``(V, 2)`` pixels): each triangle is sampled finer than a cell."""
        xy, faces = np.asarray(xy, float), np.asarray(faces)
        tri = xy[faces]  # (F, 3, 2)
        edge = np.max(np.linalg.norm(tri - np.roll(tri, 1, axis=1), axis=2), axis=1)
        steps = np.clip(np.ceil(edge / (self.cell * 0.7)).astype(int), 1, 64)
        samples = [tri.reshape(-1, 2)]
        for k in np.unique(steps[steps > 1]):
            group = tri[steps == k]
            i, j = np.meshgrid(np.arange(k + 1), np.arange(k + 1), indexing="ij")
            keep = i + j <= k
            a, b = i[keep] / k, j[keep] / k
            weights = np.column_stack([1 - a - b, a, b])  # barycentric, (S, 3)
            samples.append(np.einsum("sv,fvd->fsd", weights, group).reshape(-1, 2))
        self.add_points(np.vstack(samples), body, close=0, grow=grow)

    def along(self, start: NDArray, end: NDArray, own: Sequence[str] = ()) -> tuple[NDArray, NDArray, NDArray, float]:
        """Bone, arrow and other-bone occupancy (cells of bodies not in ``own`` and not of ``own``)
        at samples from ``end`` back to ``start`` (the landmark end first), and the spacing of the
        samples in pixels."""
        start, end = np.asarray(start, float), np.asarray(end, float)
        length = float(np.linalg.norm(start - end))
        n = max(2, int(np.ceil(length / (self.cell * 0.5))) + 1)
        t = np.linspace(0.0, 1.0, n)
        pts = end[None, :] + t[:, None] * (start - end)[None, :]
        row, col = self._cells(pts)
        foreign = np.zeros(n, bool)
        if own:
            mine = np.zeros(n, bool)
            for body, grid in self.bodies.items():
                if body in own:
                    mine |= grid[row, col]
                else:
                    foreign |= grid[row, col]
            foreign &= ~mine
        return self.bone[row, col], self.arrow[row, col], foreign, length / (n - 1)

    def box_on_bone(self, box: tuple[float, float, float, float]) -> float:
        """Fraction of a box's cells that are bone."""
        x0, y0, x1, y1 = box
        c = self.cell
        r0, r1 = max(0, int(y0 // c)), min(self.bone.shape[0], int(np.ceil(y1 / c)))
        c0, c1 = max(0, int(x0 // c)), min(self.bone.shape[1], int(np.ceil(x1 / c)))
        if r1 <= r0 or c1 <= c0:
            return 0.0
        return float(self.bone[r0:r1, c0:c1].mean())


@dataclass(frozen=True)
class Place:
    """A label's position: text anchor ``(x, y)`` and justification (0 left, 1 centred, 2 right,
    text vertically centred), its box and where its leader starts (pixels)."""

    x: float
    y: float
    justify: int
    box: tuple[float, float, float, float]
    start: tuple[float, float]


@dataclass(frozen=True)
class LabelRequest:
    """One label to place: its landmark (pixels), text size, the places it may take and the bodies
    its leader may run over at the end (the landmark's bone; a joint's two bones)."""

    anchor: tuple[float, float]
    size: tuple[float, float]
    places: tuple[Place, ...]
    own: tuple[str, ...] = ()


def segments_cross(p1, p2, q1, q2) -> bool:
    """Whether segments ``p1-p2`` and ``q1-q2`` cross (touching ends do not count)."""

    def orient(a, b, c) -> float:
        v = (float(b[0]) - float(a[0])) * (float(c[1]) - float(a[1])) - (float(b[1]) - float(a[1])) * (
            float(c[0]) - float(a[0])
        )
        return (v > 0) - (v < 0)

    return bool(orient(p1, p2, q1) * orient(p1, p2, q2) < 0 and orient(q1, q2, p1) * orient(q1, q2, p2) < 0)


def box_hits_segment(box, p, q) -> bool:
    """Whether segment ``p-q`` passes through the rectangle ``box`` = (x0, y0, x1, y1)
    (Liang-Barsky clipping; touching the edge does not count)."""
    x0, y0, x1, y1 = (float(v) for v in box)
    px, py, dx, dy = float(p[0]), float(p[1]), float(q[0]) - float(p[0]), float(q[1]) - float(p[1])
    lo, hi = 0.0, 1.0
    for step, room in ((-dx, px - x0), (dx, x1 - px), (-dy, py - y0), (dy, y1 - py)):
        if step == 0.0:
            if room <= 0.0:
                return False
            continue
        t = room / step
        if step < 0.0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo >= hi:
            return False
    return True


def boxes_meet(a, b, pad: float = 2.0) -> bool:
    """Whether two boxes intersect (or come within ``pad`` pixels)."""
    return a[0] < b[2] + pad and b[0] < a[2] + pad and a[1] < b[3] + pad and b[1] < a[3] + pad


def leader_score(
    grid: ObstacleGrid | Sequence[ObstacleGrid], place: Place, anchor: NDArray, own: Sequence[str] = ()
) -> tuple[float, float]:
    """``(score, final stretch inside the bone in pixels)`` of the leader from ``place`` to
    ``anchor``: the stretch weighs most, then how far the leader slants from the horizontal or
    the vertical and how long it is; a final stretch over a bone not in ``own`` counts twice. A
    leader that re-enters bone or touches an arrow is a crossing.

    Given several grids (the bones in each pose the picture can show), the leader is judged in
    each and its worst score counts: a gap between two bones that one pose closes and another
    opens must not pass for one long final stretch (the union of the poses' silhouettes would).
    """
    if not isinstance(grid, ObstacleGrid):
        return max((leader_score(g, place, anchor, own) for g in grid), key=lambda s: s[0])
    bone, arrow, foreign, step = grid.along(np.asarray(place.start), anchor, own)
    gap = joint_gap(bone, step, grid.height) if len(own) > 1 else 0
    outside = gap + np.flatnonzero(~bone[gap:])
    end = outside[0] if len(outside) else len(bone)
    final = float(end * step)
    crossing = bool(arrow.any()) or (len(outside) > 0 and bool(bone[outside[0] :].any()))
    crossing = crossing or final > MAX_FINAL_STRETCH * grid.height
    over_other = float(foreign[:end].sum() * step)  # of the final stretch, over another bone
    dx, dy = place.start[0] - anchor[0], place.start[1] - anchor[1]
    length = float(np.hypot(dx, dy))
    slant = min(abs(dx), abs(dy))  # how far from horizontal (margins) or vertical (above / below)
    score = (
        4.0 * final
        + 4.0 * over_other
        + 0.6 * slant
        + 0.05 * length
        + 60.0 * grid.box_on_bone(place.box) * grid.height / 100
    )
    return (score + (CROSSING if crossing else 0.0)), final


def joint_gap(on_bone: NDArray[np.bool_], step: float, height: float) -> int:
    """Samples of a leader (landmark end first, ``step`` pixels apart) in the gap between a joint's
    bones at its landmark: the leading run off bone when bone follows within
    :data:`MAX_JOINT_GAP` of the picture ``height``; 0 when the landmark is on bone or open."""
    inside = np.flatnonzero(on_bone)
    if len(inside) == 0 or inside[0] == 0 or inside[0] * step > MAX_JOINT_GAP * height:
        return 0
    return int(inside[0])


def place_labels(
    grid: ObstacleGrid | Sequence[ObstacleGrid], labels: Sequence[LabelRequest], keep: int = 8
) -> list[Place | None]:
    """One place per label: the least total score with no two boxes meeting, no two leaders
    crossing and no leader through another label's box (see the module docstring). The search
    tries each label's ``keep`` best places first, then three times as many. ``grid`` may be one
    grid per pose the picture shows: a leader must then be clear in each (:func:`leader_score`).

    A label whose every leader would cross a bone or an arrow gets ``None``: it is left out
    (e.g. the pubic symphysis from above in a small, crowded picture) rather than drawn with a
    leader that points through another bone. When the labels cannot all be placed apart, the
    last ones (views list their labels most important first) are left out until they can.
    """
    ranked: list[list[tuple[float, Place]]] = []
    for req in labels:
        anchor = np.asarray(req.anchor, float)
        scored = ((leader_score(grid, p, anchor, req.own)[0], p) for p in req.places)
        ranked.append(sorted((sp for sp in scored if sp[0] < CROSSING), key=lambda s: s[0]))
    kept = [i for i, r in enumerate(ranked) if r]
    places: list[Place | None] = [None] * len(labels)
    while kept:
        for limit in (keep, 3 * keep):
            choice = _search([labels[i] for i in kept], [ranked[i][:limit] for i in kept])
            if choice is not None:
                for i, place in zip(kept, choice, strict=True):
                    places[i] = place
                return places
        kept.pop()  # the labels do not all fit apart: leave out the last (least important) one
    return places


def _search(labels: Sequence[LabelRequest], options: list[list[tuple[float, Place]]]) -> list[Place] | None:
    """Branch and bound over the labels' places (at most 3000 steps: the first solutions found are the greedy ones)."""
    # the most constrained labels first (fewest places without a crossing, then the costliest)
    order = sorted(
        range(len(labels)),
        key=lambda i: (sum(s < CROSSING for s, _ in options[i]), -(options[i][0][0] if options[i] else 0.0)),
    )
    best: dict[str, object] = {"score": np.inf, "choice": None, "steps": 0}
    floor = [min((s for s, _ in options[i]), default=0.0) for i in range(len(labels))]

    def fits(i: int, place: Place, chosen: dict[int, Place]) -> bool:
        a = labels[i].anchor
        for j, other in chosen.items():
            b = labels[j].anchor
            pad = 0.8 * min(place.box[3] - place.box[1], other.box[3] - other.box[1])  # words stay apart
            if boxes_meet(place.box, other.box, pad) or segments_cross(place.start, a, other.start, b):
                return False
            if box_hits_segment(other.box, place.start, a) or box_hits_segment(place.box, other.start, b):
                return False
        return True

    def search(k: int, chosen: dict[int, Place], total: float) -> None:
        best["steps"] = int(best["steps"]) + 1  # type: ignore[call-overload]
        if int(best["steps"]) > 3_000:  # type: ignore[call-overload]
            return
        if k == len(order):
            if total < best["score"]:  # type: ignore[operator]
                best["score"], best["choice"] = total, dict(chosen)
            return
        i = order[k]
        if total + sum(floor[j] for j in order[k:]) >= best["score"]:  # type: ignore[operator]
            return
        for score, place in options[i]:
            if fits(i, place, chosen):
                chosen[i] = place
                search(k + 1, chosen, total + score)
                del chosen[i]

    search(0, {}, 0.0)
    choice = best["choice"]
    if choice is None:
        return None
    return [choice[i] for i in range(len(labels))]  # type: ignore[index]
