"""The :class:`Pelvis` model: anatomy + joints + metrics, and its posed state."""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Mapping
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from pelvis3d.anatomy import BODIES, Anatomy, Dof, JointSurface, ReadOnlyMap, load_anatomy
from pelvis3d.errors import (
    LimitError,
    PhysiologicalRangeWarning,
    PoseError,
    PoseTypeError,
    RingToleranceWarning,
    ShownAngleCappedWarning,
)
from pelvis3d.kinematics import DOF_NAMES, SI_DOF_NAMES, Pose, axis_angle_transform
from pelvis3d.metrics import SIDES, JointMetrics, JointSpaceCalculator, LazyFields
from pelvis3d.ring import DEFAULT_RING, check_ring, close_ring
from pelvis3d.tolerances import Excess, describe_excesses, physiological_ranges, ring_excesses
from pelvis3d.validation import real_number

__all__ = ["Pelvis", "PosedPelvis", "MAX_EXAGGERATION"]

#: Largest allowed exaggeration factor for shown poses.
MAX_EXAGGERATION = 20.0


_IDENTITY = np.eye(4)
_IDENTITY.setflags(write=False)


def _joint_chain(anatomy: Anatomy) -> list[tuple[str, str, list[Dof]]]:
    """``(child, parent, dofs)`` per body with parents first (world, pelvis, sacrum, ...)."""
    joint_of: dict[str, list[Dof]] = {}
    for dof in anatomy.dofs.values():
        joint_of.setdefault(dof.child, []).append(dof)
    chain: list[tuple[str, str, list[Dof]]] = []
    done = {"world"}
    pending = ["pelvis", *BODIES]
    while pending:  # the joint tree is tiny
        ready = [c for c in pending if (joint_of[c][0].parent if joint_of.get(c) else "world") in done]
        if not ready:
            raise PoseError(f"anatomy {anatomy.name!r}: joints form no tree from the world to {', '.join(pending)}")
        for child in ready:
            dofs = joint_of.get(child, [])
            chain.append((child, dofs[0].parent if dofs else "world", dofs))
            done.add(child)
            pending.remove(child)
    return chain


def _rigid_inverse(t: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.eye(4)
    out[:3, :3] = t[:3, :3].T
    out[:3, 3] = -(t[:3, :3].T @ t[:3, 3])
    return out


def _readonly(a: NDArray) -> NDArray:
    a = np.array(a, dtype=float, copy=True)
    a.setflags(write=False)
    return a


class Pelvis:
    """Sacrum and two innominates articulated at the SI joints and the pubic symphysis.

    Parameters
    ----------
    anatomy : Anatomy or str or path-like, optional
        An :class:`~pelvis3d.anatomy.Anatomy`, or a folder / ``pelvis.json`` to load.
        Default: the built-in simplified adult pelvis.

    Notes
    -----
    Units are millimetres and degrees; the frame is the ISB pelvis frame (X anterior,
    Y superior, Z right; origin at the ASIS midpoint). Sign conventions are listed in
    :mod:`pelvis3d.kinematics`.
    """

    def __init__(self, anatomy: Anatomy | str | os.PathLike[str] | None = None) -> None:
        if anatomy is None or isinstance(anatomy, (str, os.PathLike)):
            anatomy = _load_any(anatomy)
        if not isinstance(anatomy, Anatomy):
            raise PoseTypeError(f"anatomy must be an Anatomy or a path, got {type(anatomy).__name__}")
        self.anatomy = anatomy
        missing = [n for n in DOF_NAMES if n not in anatomy.dofs]
        if missing:
            raise PoseError(f"anatomy {anatomy.name!r} defines no joint for DOF(s): {', '.join(missing)}")
        self._chain = _joint_chain(anatomy)
        self._calculator = JointSpaceCalculator(anatomy)
        self._halves: dict[str, tuple[NDArray[np.bool_], NDArray[np.bool_]]] = {}
        for side in SIDES:
            surf = anatomy.joint_surfaces[f"{side}_si_innominate"]
            x = np.asarray(anatomy.vertices[surf.body])[surf.vertices, 0]
            anterior = x >= np.median(x)
            self._halves[side] = (anterior, ~anterior)
        self._si_averages = {
            side: np.stack([np.full(len(a), 1.0 / len(a)), a / a.sum(), ~a / (~a).sum()])
            for side, (a, _) in self._halves.items()
        }
        self._auricular = {
            side: np.asarray(anatomy.vertices[f"{side}_innominate"])[
                anatomy.joint_surfaces[f"{side}_si_innominate"].vertices
            ]
            for side in SIDES
        }
        marks = anatomy.landmarks
        self._symphysis_centre = (
            (marks["left_symphyseal_face_centre"].position_mm + marks["right_symphyseal_face_centre"].position_mm) / 2
            if "left_symphyseal_face_centre" in marks and "right_symphyseal_face_centre" in marks
            else None
        )
        self._closed: dict[Pose, dict[str, NDArray[np.float64]]] = {}
        self._ranges: dict[str, dict[str, tuple[float, float]]] = {}
        self._neutral: JointMetrics | None = None
        self._neutral = self.metrics(Pose())

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Pelvis:
        """Load a model file (``.toml`` / ``.json``, see :mod:`pelvis3d.anatomy.user`) or an
        anatomy folder with ``pelvis.json``."""
        return cls(_load_any(path))

    @classmethod
    def from_meshes(cls, sacrum, left_innominate, right_innominate, *, units: str = "mm", **options) -> Pelvis:
        """A pelvis from three meshes (paths or trimesh / pyvista objects).

        Parameters
        ----------
        sacrum, left_innominate, right_innominate : path or mesh
            The bones.
        units : {"mm", "m"}
            Units of the mesh coordinates.
        **options
            ``axes``, ``transform``, ``landmarks``, ``pivots``, ``frame``, ``attribution``,
            ``name``: see :func:`pelvis3d.anatomy.user.anatomy_from_meshes`.
        """
        from pelvis3d.anatomy.user import anatomy_from_meshes

        return cls(anatomy_from_meshes(sacrum, left_innominate, right_innominate, units=units, **options))

    @property
    def derived(self) -> Mapping[str, str]:
        """What was derived from the meshes (joint surfaces, landmarks, pivots, frame) and how."""
        return dict(self.anatomy.derived)

    def show(self, pose: Pose | None = None, **options) -> None:
        """Open the desktop viewer on this pelvis (see :func:`pelvis3d.apps.viewer.view`)."""
        # a convenience that opens an app from the model, as pyvista's DataSet.plot does; the
        # import runs only when called, so the core still loads without pyvista
        from pelvis3d.apps.viewer import view  # upward: lazy convenience

        view(pose, pelvis=self, **options)

    # ---- anatomy readers ----------------------------------------------------------------
    @property
    def name(self) -> str:
        """Name of the anatomy."""
        return self.anatomy.name

    @cached_property
    def landmarks(self) -> Mapping[str, NDArray[np.float64]]:
        """Landmark positions at neutral: name -> (3,) read-only array, mm, pelvis frame."""
        return ReadOnlyMap({n: lm.position_mm for n, lm in self.anatomy.landmarks.items()}, "landmark")

    @property
    def landmark_bodies(self) -> Mapping[str, str]:
        """Landmark name -> body it belongs to."""
        return ReadOnlyMap({n: lm.body for n, lm in self.anatomy.landmarks.items()}, "landmark")

    @property
    def joint_surfaces(self) -> Mapping[str, JointSurface]:
        """Joint surface patches (vertex index sets): ``left_si_innominate``, ``left_si_sacrum``, ..."""
        return self.anatomy.joint_surfaces

    @property
    def dofs(self) -> Mapping[str, Dof]:
        """Degrees of freedom by name, with axes, pivots and limits as the anatomy stores them
        (for the ring DOFs the stored physiological range is the radiostereometric cap that
        scales controls; the ring itself is judged by :meth:`physiological_ranges` and
        :meth:`ring_excesses`)."""
        return self.anatomy.dofs

    def physiological_ranges(self, ring: str = DEFAULT_RING) -> dict[str, tuple[float, float]]:
        """Range of each ring DOF alone, and of ``rotation`` / ``tilt`` (both sides together),
        within which this pelvis keeps every joint tolerance of :mod:`pelvis3d.tolerances`
        (degrees, to 0.01 deg inside the first tolerance left; the hard limit if none is)."""
        if check_ring(ring) not in self._ranges:
            hard = {n: self.anatomy.dofs[n].hard_deg for n in SI_DOF_NAMES}
            hard["rotation"] = hard["left_rotation"]
            hard["tilt"] = hard["left_tilt"]
            self._ranges[ring] = physiological_ranges(lambda p: bool(self.ring_excesses(p, ring)), hard)
        return dict(self._ranges[ring])

    def ring_excesses(self, pose: Pose, ring: str = DEFAULT_RING) -> list[Excess]:
        """The joint tolerances the posed ring leaves, each with by how much (empty inside)."""
        t = self.transforms(pose, ring=ring)
        return ring_excesses(self.metrics(pose, t), self.neutral_metrics, t, self._auricular)

    def shown_pose(self, pose: Pose, exaggeration: float) -> Pose:
        """``pose`` with its ring angles times ``exaggeration``, each held within its hard limit."""
        shown = pose.scaled(exaggeration)
        limited = {}
        for name in SI_DOF_NAMES:
            lo, hi = self.anatomy.dofs[name].hard_deg
            value = getattr(shown, name)
            if not lo <= value <= hi:
                limited[name] = min(hi, max(lo, value))
        return shown.replace(**limited) if limited else shown

    def max_exaggeration(self, pose: Pose) -> float:
        """The largest exaggeration whose shown pose stays within the hard limits (1 to
        :data:`MAX_EXAGGERATION`)."""
        factor = MAX_EXAGGERATION
        for name in SI_DOF_NAMES:
            value = getattr(pose, name)
            lo, hi = self.anatomy.dofs[name].hard_deg
            if value > 0:
                factor = min(factor, hi / value)
            elif value < 0:
                factor = min(factor, lo / value)
        return max(1.0, factor)

    @property
    def neutral_metrics(self) -> JointMetrics:
        """Metrics of the neutral pose."""
        assert self._neutral is not None
        return self._neutral

    def meshes(self) -> dict[str, object]:
        """New ``trimesh.Trimesh`` per body at neutral, mm."""
        return {b: self.anatomy.trimesh(b) for b in BODIES}

    # ---- kinematics ---------------------------------------------------------------------
    def check_pose(self, pose: Pose) -> Pose:
        """Check ``pose`` against the joint limits.

        Raises :class:`~pelvis3d.errors.LimitError` for an angle beyond its hard limit; warns
        (:class:`~pelvis3d.errors.PhysiologicalRangeWarning`) for a whole-pelvis angle beyond
        its physiological range. The ring DOFs are judged by what they do to the ring
        (:meth:`judge_ring`, which :meth:`posed` calls), not by their angles.
        """
        if not isinstance(pose, Pose):
            raise PoseTypeError(f"pose must be a pelvis3d.Pose, got {type(pose).__name__}")
        for name, value in pose.pelvis_angles().items():  # leg angles: pelvis3d.legs checks them
            dof = self.anatomy.dofs[name]
            lo, hi = dof.hard_deg
            if not lo <= value <= hi:
                raise LimitError(f"{name}={value:g} deg is beyond the hard limit [{lo:g}, {hi:g}] deg")
            plo, phi = dof.physiological_deg
            if name not in SI_DOF_NAMES and not plo <= value <= phi:
                warnings.warn(
                    f"{name}={value:g} deg is beyond the physiological range [{plo:g}, {phi:g}] deg",
                    PhysiologicalRangeWarning,
                    stacklevel=3,
                )
        return pose

    def judge_ring(self, pose: Pose, ring: str = DEFAULT_RING) -> list[Excess]:
        """Warn (:class:`~pelvis3d.errors.RingToleranceWarning`) when the posed ring leaves a
        joint tolerance or bones touch, naming each tolerance and by how much, whatever the
        angles; return what it left (empty, and no warning, inside every tolerance)."""
        if not any(getattr(pose, n) for n in SI_DOF_NAMES):
            return []
        excesses = self.ring_excesses(pose, ring)
        if excesses:
            warnings.warn(describe_excesses(pose, excesses), RingToleranceWarning, stacklevel=3)
        return excesses

    def transforms(self, pose: Pose, world: bool = False, ring: str = DEFAULT_RING) -> dict[str, NDArray[np.float64]]:
        """Rigid transform per body for ``pose`` (no limit checks).

        Parameters
        ----------
        pose : Pose
            Joint angles, degrees.
        world : bool
            False: ``T_pelvis_body`` (body neutral coordinates -> pelvis frame, mm).
            True: ``T_world_body``, including the whole-pelvis tilt/obliquity/rotation.
        ring : {"open", "closed"}
            The open chain (each DOF moves its own joint) or the closed ring (the other
            joints take up the motion by least elastic energy; see :mod:`pelvis3d.ring`).

        Returns
        -------
        dict of str to (4, 4) ndarray
        """
        if check_ring(ring) == "closed" and self._symphysis_centre is not None:
            if any(getattr(pose, n) for n in SI_DOF_NAMES):
                return self._closed_transforms(pose, world)
        return self._open_transforms(pose, world)

    def _closed_transforms(self, pose: Pose, world: bool) -> dict[str, NDArray[np.float64]]:
        ring_pose = Pose(**{n: getattr(pose, n) for n in SI_DOF_NAMES})
        closed = self._closed.get(ring_pose)
        if closed is None:
            held = {s: (getattr(pose, f"{s}_rotation") != 0.0, getattr(pose, f"{s}_tilt") != 0.0) for s in SIDES}
            pivots = {s: self.anatomy.dofs[f"{s}_rotation"].pivot_mm for s in SIDES}
            closed = close_ring(self._open_transforms(ring_pose, False), pivots, held, self._symphysis_centre)
            if len(self._closed) > 8:  # a few recent poses (a frame asks for a pose more than once)
                self._closed.pop(next(iter(self._closed)))
            self._closed[ring_pose] = closed
        if not world:
            return {b: t.copy() for b, t in closed.items()}
        posture = self._open_transforms(pose, True)
        to_world = posture["sacrum"] @ _rigid_inverse(self._open_transforms(pose, False)["sacrum"])
        return {b: to_world @ t for b, t in closed.items()}

    def _open_transforms(self, pose: Pose, world: bool) -> dict[str, NDArray[np.float64]]:
        angles = pose.pelvis_angles()
        frames: dict[str, NDArray[np.float64]] = {"world": _IDENTITY}
        for child, parent, dofs in self._chain:
            t = frames[parent]
            for dof in dofs:
                if angles[dof.name] != 0.0:  # most DOFs of a pose are zero: skip the identity
                    t = t @ axis_angle_transform(dof.axis, angles[dof.name], dof.pivot_mm)
            frames[child] = t
        pelvis = frames["pelvis"]
        if world or pelvis is _IDENTITY:
            out, seen = {}, set()
            for b in BODIES:  # a body with no motion of its own shares its parent's array: copy
                t = frames[b]
                out[b] = t.copy() if t is _IDENTITY or id(t) in seen else t
                seen.add(id(out[b]))
            return out
        to_pelvis = _rigid_inverse(pelvis)
        return {b: to_pelvis @ frames[b] for b in BODIES}

    _METRIC_SURFACES = ("left_si_innominate", "right_si_innominate", "left_pubic_face", "right_pubic_face")

    def metrics(
        self,
        pose: Pose,
        transforms: Mapping[str, NDArray[np.float64]] | None = None,
        _fields: dict | None = None,
        ring: str = DEFAULT_RING,
    ) -> JointMetrics:
        """Joint metrics of the geometry posed by ``pose`` (no limit checks), mm; ``ring``
        as in :meth:`transforms`."""
        t = transforms if transforms is not None else self.transforms(pose, ring=ring)
        fields = _fields if _fields is not None else self._calculator.fields(t, self._METRIC_SURFACES)
        for arr in fields.values():
            arr.setflags(write=False)
        lazy = LazyFields(fields, lambda names: self._calculator.fields(t, names), list(self._calculator.queries))
        n = self._neutral

        def lm(name: str) -> NDArray[np.float64]:
            m = t[self.anatomy.landmarks[name].body]
            return m[:3, :3] @ self.anatomy.landmarks[name].position_mm + m[:3, 3]

        pubic_left, pubic_right = fields["left_pubic_face"], fields["right_pubic_face"]
        pubic_gap = float((pubic_left.sum() + pubic_right.sum()) / (len(pubic_left) + len(pubic_right)))
        pubic_min = float(min(pubic_left.min(), pubic_right.min()))
        shear = float(lm("left_symphyseal_face_centre")[1] - lm("right_symphyseal_face_centre")[1])
        si_mean, si_min, si_ant, si_post, contact = {}, {}, {}, {}, {}
        for side in SIDES:
            f = fields[f"{side}_si_innominate"]
            # whole surface, anterior half, posterior half: one product with the averaging rows
            si_mean[side], si_ant[side], si_post[side] = (float(v) for v in self._si_averages[side] @ f)
            si_min[side] = float(f.min())
            contact[side] = si_min[side] <= 0.0
        inter_asis = float(np.linalg.norm(lm("left_asis") - lm("right_asis")))
        inter_psis = float(np.linalg.norm(lm("left_psis") - lm("right_psis")))

        def change(value: float, ref: float | None) -> float:
            return 0.0 if ref is None else value - ref

        return JointMetrics(
            pubic_gap_mm=pubic_gap,
            pubic_gap_change_mm=change(pubic_gap, n and n.pubic_gap_mm),
            pubic_min_gap_mm=pubic_min,
            pubic_shear_mm=shear,
            pubic_contact=pubic_min <= 0.0,
            si_space_mm=si_mean,
            si_min_space_mm=si_min,
            si_anterior_space_mm=si_ant,
            si_posterior_space_mm=si_post,
            si_space_change_mm={s: change(si_mean[s], n and n.si_space_mm[s]) for s in SIDES},
            si_anterior_change_mm={s: change(si_ant[s], n and n.si_anterior_space_mm[s]) for s in SIDES},
            si_posterior_change_mm={s: change(si_post[s], n and n.si_posterior_space_mm[s]) for s in SIDES},
            si_contact=contact,
            inter_asis_mm=inter_asis,
            inter_asis_change_mm=change(inter_asis, n and n.inter_asis_mm),
            inter_psis_mm=inter_psis,
            inter_psis_change_mm=change(inter_psis, n and n.inter_psis_mm),
            fields=lazy,
        )

    def mesh_distance(self, body: str):
        """The exact distance structure of ``body``'s neutral mesh (mm; a
        :class:`pelvis3d.distance.MeshDistance`), shared with the joint-space metrics."""
        return self._calculator.distance_to(body)

    def posed(self, pose: Pose | None = None, exaggeration: float = 1.0, ring: str = DEFAULT_RING) -> PosedPelvis:
        """Pose the pelvis.

        Parameters
        ----------
        pose : Pose, optional
            The true joint angles, degrees (checked against the limits and the ring's
            tolerances). Default: neutral.
        exaggeration : float
            Factor (1-20) applied to the pelvic-ring angles for display. The geometry
            (``transforms``, ``meshes()``) shows the exaggerated pose; ``metrics`` are
            always those of the true pose and ``shown_metrics`` those of the shown one.
            A shown angle that would pass its hard limit is shown at the limit, with a
            :class:`~pelvis3d.errors.ShownAngleCappedWarning` (see :meth:`max_exaggeration`).
        ring : {"open", "closed"}
            Open chain (default, :data:`pelvis3d.ring.DEFAULT_RING`) or closed ring (the
            other joints take up the motion; :mod:`pelvis3d.ring`).

        Returns
        -------
        PosedPelvis

        Raises
        ------
        LimitError
            If a true angle is beyond its hard limit.
        """
        pose = Pose() if pose is None else pose
        factor = real_number(exaggeration, "exaggeration")
        if not 1.0 <= factor <= MAX_EXAGGERATION:
            raise PoseError(f"exaggeration={exaggeration!r} is outside the allowed range [1, {MAX_EXAGGERATION:g}]")
        self.check_pose(pose)
        check_ring(ring)
        self.judge_ring(pose, ring)
        cap = self.max_exaggeration(pose)
        if factor > cap * (1.0 + 1e-12):
            capped = [
                n for n in SI_DOF_NAMES if abs(getattr(pose, n)) * factor > abs(getattr(pose, n)) * cap * (1 + 1e-12)
            ]
            over = ", ".join(
                f"{n}={getattr(pose, n):g} deg x{factor:g} = {getattr(pose, n) * factor:g} deg" for n in capped
            )
            warnings.warn(
                f"the shown pose would pass the hard limit ({over}); those angles are shown at the hard limit "
                f"(exaggeration x{math.floor(cap * 100) / 100:g} keeps every angle in proportion)",
                ShownAngleCappedWarning,
                stacklevel=2,
            )
        return PosedPelvis(self, pose, factor, ring)

    # ---- inverse ------------------------------------------------------------------------
    def solve_rotation(
        self,
        *,
        pubic_gap_change_mm: float | None = None,
        si_posterior_change_mm: float | None = None,
        side: str = "both",
        tolerance_mm: float = 1e-4,
        ring: str = DEFAULT_RING,
    ) -> Pose:
        """The innominate rotation that produces a target metric change: see
        :func:`pelvis3d.inverse.solve_rotation` (same parameters)."""
        from pelvis3d.inverse import solve_rotation

        return solve_rotation(
            self,
            pubic_gap_change_mm=pubic_gap_change_mm,
            si_posterior_change_mm=si_posterior_change_mm,
            side=side,
            tolerance_mm=tolerance_mm,
            ring=ring,
        )


def _load_any(path: str | os.PathLike[str] | None) -> Anatomy:
    """Built-in (None), an anatomy folder / pelvis.json, or a model file (.toml / .json)."""
    import json
    from pathlib import Path

    if path is None:
        return load_anatomy(None)
    p = Path(path)
    if p.suffix.lower() == ".osim":  # an OpenSim model
        from pelvis3d.anatomy.opensim import load_osim

        return load_osim(p)
    if p.suffix.lower() == ".toml":
        from pelvis3d.anatomy.user import load_model_file

        return load_model_file(p)
    if p.suffix.lower() == ".json" and p.is_file():
        try:
            native = json.loads(p.read_text(encoding="utf-8")).get("format") == "pelvis3d-anatomy"
        except (ValueError, AttributeError, UnicodeDecodeError):
            native = False
        if not native:
            from pelvis3d.anatomy.user import load_model_file

            return load_model_file(p)
    return load_anatomy(p)


class PosedPelvis:
    """A pelvis in one pose: transforms, posed meshes and landmarks, and metrics.

    Attributes
    ----------
    pose : Pose
        The true pose, degrees.
    shown_pose : Pose
        The displayed pose (``pose`` with the pelvic-ring angles times ``exaggeration``).
    exaggeration : float
        Display factor.
    ring : str
        ``"open"`` or ``"closed"`` (see :mod:`pelvis3d.ring`).
    """

    def __init__(self, pelvis: Pelvis, pose: Pose, exaggeration: float = 1.0, ring: str = DEFAULT_RING) -> None:
        self.pelvis = pelvis
        self.pose = pose
        self.ring = check_ring(ring)
        self.exaggeration = float(exaggeration)
        self.shown_pose = pelvis.shown_pose(pose, exaggeration) if exaggeration != 1.0 else pose

    @cached_property
    def transforms(self) -> Mapping[str, NDArray[np.float64]]:
        """``T_pelvis_body`` per body for the shown pose: (4, 4), body neutral coords -> pelvis frame, mm."""
        out = self.pelvis.transforms(self.shown_pose, ring=self.ring)
        for t in out.values():  # freshly computed: freeze in place, no copy
            t.setflags(write=False)
        return ReadOnlyMap(out, "body")

    @cached_property
    def world_transforms(self) -> Mapping[str, NDArray[np.float64]]:
        """``T_world_body`` per body for the shown pose, including whole-pelvis posture."""
        return ReadOnlyMap(
            {b: _readonly(t) for b, t in self.pelvis.transforms(self.shown_pose, world=True, ring=self.ring).items()},
            "body",
        )

    @cached_property
    def metrics(self) -> JointMetrics:
        """Metrics of the true (unexaggerated) pose, mm."""
        if self.exaggeration == 1.0:
            return self.pelvis.metrics(self.pose, self.transforms)
        return self._both[0]

    @cached_property
    def shown_metrics(self) -> JointMetrics:
        """Metrics of the shown (exaggerated) geometry, mm."""
        if self.exaggeration == 1.0:
            return self.metrics
        return self._both[1]

    @cached_property
    def _both(self) -> tuple[JointMetrics, JointMetrics]:
        # the true and shown poses share one distance pass (a frame usually wants both)
        true_t = self.pelvis.transforms(self.pose, ring=self.ring)
        f_true, f_shown = self.pelvis._calculator.fields_many([true_t, self.transforms], Pelvis._METRIC_SURFACES)
        return (
            self.pelvis.metrics(self.pose, true_t, _fields=f_true),
            self.pelvis.metrics(self.shown_pose, self.transforms, _fields=f_shown),
        )

    @property
    def landmarks(self) -> Mapping[str, NDArray[np.float64]]:
        """Posed landmark positions (shown pose), mm, pelvis frame."""
        return self._landmarks_by(self.transforms)

    @property
    def world_landmarks(self) -> Mapping[str, NDArray[np.float64]]:
        """Posed landmark positions in the world frame (with whole-pelvis posture), mm."""
        return self._landmarks_by(self.world_transforms)

    def _landmarks_by(self, transforms: Mapping[str, NDArray[np.float64]]) -> Mapping[str, NDArray[np.float64]]:
        out = {}
        for name, lm in self.pelvis.anatomy.landmarks.items():
            m = transforms[lm.body]
            out[name] = _readonly(m[:3, :3] @ lm.position_mm + m[:3, 3])
        return ReadOnlyMap(out, "landmark")

    def meshes(self, world: bool = False) -> dict[str, object]:
        """New posed ``trimesh.Trimesh`` per body (shown pose), mm; ``world=True`` adds posture."""
        trans = self.world_transforms if world else self.transforms
        out = {}
        for body in BODIES:
            mesh = self.pelvis.anatomy.trimesh(body)
            mesh.apply_transform(np.array(trans[body]))
            out[body] = mesh
        return out

    def __repr__(self) -> str:
        return f"<PosedPelvis {self.pose!r} x{self.exaggeration:g}>"
