"""Errors and warnings raised by pelvis3d.

Every error derives from :class:`Pelvis3dError`; where a built-in exception fits
(``ValueError`` for a bad value, ``TypeError`` for a wrong type, ``KeyError`` for an
unknown name) the pelvis3d error also derives from it, so ordinary ``except`` clauses work.
"""

from __future__ import annotations

__all__ = [
    "Pelvis3dError",
    "PoseError",
    "PoseTypeError",
    "LimitError",
    "UnknownNameError",
    "UnexpectedArgumentError",
    "AnatomyFileError",
    "PhysiologicalRangeWarning",
    "RingToleranceWarning",
    "NeutralContactWarning",
    "ShownAngleCappedWarning",
]


class Pelvis3dError(Exception):
    """Base class of every pelvis3d error."""


class PoseError(Pelvis3dError, ValueError):
    """A pose or option value is not allowed (non-finite, out of range, ...)."""


class PoseTypeError(Pelvis3dError, TypeError):
    """A value has the wrong type (e.g. a string where degrees are expected)."""


class LimitError(PoseError):
    """An angle is beyond a joint's hard limit."""


class UnknownNameError(Pelvis3dError, KeyError):
    """A DOF, body, landmark, joint surface, view or motion name is not known."""

    def __str__(self) -> str:  # KeyError would print the message in quotes
        return str(self.args[0]) if self.args else ""


class UnexpectedArgumentError(Pelvis3dError, TypeError):
    """A keyword argument that the callable does not take (as Python's own ``TypeError``)."""


class AnatomyFileError(Pelvis3dError, ValueError):
    """A mesh or sidecar file is missing, unreadable or inconsistent."""


class PhysiologicalRangeWarning(UserWarning):
    """An angle is beyond the physiological range but within the hard limit."""


class RingToleranceWarning(PhysiologicalRangeWarning):
    """A posed pelvic ring leaves a published joint tolerance (see :mod:`pelvis3d.tolerances`);
    the message names the tolerance and by how much."""


class NeutralContactWarning(UserWarning):
    """The bones of a loaded anatomy touch or overlap at neutral; the message gives the depth."""


class ShownAngleCappedWarning(UserWarning):
    """An exaggerated (shown) angle would pass its hard limit and is shown at the limit."""
