"""Presenter size for ``pelvis3d serve``: the picture is rendered at the presenter's page size.

How trame-vtk sizes the picture: every page's remote view reports its own size with the RPC
``viewport.image.push.original.size`` whenever it is shown or resized (and its quality and size
ratio with ``viewport.image.push.quality`` when it starts and ends an interaction), and the
server keeps one size per view (``vtkWebPublishImageDelivery``), so the page that reported
last decides: a 1400x900 teacher's page showed a stretched 460x516 picture once a phone
connected. Also, a trame-vtk page shows nothing until it has received a picture made at its
own size (it asks again and again until then).

Here the presenter is the page that connected first (the next oldest page takes over when it
closes): only its size and quality reach the renderer. A watching page that asks for a picture
gets one sent to it alone, at its own size: the presenter's current picture scaled to fit,
white around it. From then on it shows the presenter's pictures as they stream, drawn by the
browser scaled to fit its view without distortion (CSS ``object-fit: contain``), so a
student's phone shows the teacher's whole picture, letterboxed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from wslink import register as export_rpc
from wslink.websocket import LinkProtocol

__all__ = ["MAX_VIEW_SIDE", "PRESENTER_CSS", "PresenterViewSize", "letterboxed_jpeg", "window_picture"]

#: The page's rule for the streamed picture: scaled to fit, never stretched.
PRESENTER_CSS = "#view3d img { object-fit: contain; background: white; }"
#: Largest view side a page may ask for, pixels (an 8K screen).
MAX_VIEW_SIDE = 8192


class PresenterViewSize(LinkProtocol):
    """A wslink protocol that takes over trame-vtk's size, quality and render requests.

    Registered after trame-vtk's protocols (wslink's last registration of an RPC name wins).
    It remembers the size each page asked for and passes on only the presenter's (and the
    presenter's quality). trame-vtk's page shows nothing until it has received one picture
    made at its own size; a watching page that asks for a picture is sent one, to it alone:
    the presenter's current picture scaled into its size (letterboxed, white). After that it
    shows the presenter's pictures as they come, scaled by the browser.

    Parameters
    ----------
    web_app : callable
        Returns the running wslink web app (it knows which page sent the current message).
    picture : callable
        Returns the current picture (rows, columns, RGB(A) uint8) at the presenter's size,
        without rendering (e.g. :func:`window_picture`).
    """

    def __init__(self, web_app: Callable[[], object], picture: Callable[[], NDArray[np.uint8]]) -> None:
        super().__init__()
        self._web_app = web_app
        self._picture = picture
        self.clients: list[str] = []  # in the order they connected: the first is the presenter
        self.sizes: dict[str, tuple[str, int, int]] = {}  # page -> (view id, width, height) it asked for

    @property
    def presenter(self) -> str | None:
        """The page whose size the picture follows (None before any page connects)."""
        return self.clients[0] if self.clients else None

    def onConnect(self, request, client_id: str) -> None:  # noqa: N802 (wslink's name)
        self.clients.append(client_id)

    def onClose(self, client_id: str) -> None:  # noqa: N802 (wslink's name)
        was = self.presenter
        if client_id in self.clients:
            self.clients.remove(client_id)
        self.sizes.pop(client_id, None)
        if self.presenter != was and self.presenter in self.sizes:
            self._apply(*self.sizes[self.presenter])  # the next oldest page presents now

    def _sender(self) -> str | None:
        """The page whose message is being handled (None when wslink does not say)."""
        app = self._web_app()
        return getattr(app, "last_active_client_id", None) if app is not None else None

    def _watching(self) -> str | None:
        """The sender, when it is a page that watches (not the presenter)."""
        client = self._sender()
        return client if client is not None and client != self.presenter else None

    def _delivery(self):
        from trame_vtk.modules.vtk.protocols import vtkWebPublishImageDelivery

        for protocol in self.coreServer.getLinkProtocols():
            if isinstance(protocol, vtkWebPublishImageDelivery):
                return protocol
        raise RuntimeError("trame-vtk's image delivery is not registered")  # a packaging fault

    def _apply(self, view_id: str, width: int, height: int) -> dict:
        delivery = self._delivery()
        result = delivery.set_view_size(view_id, width, height)
        delivery.invalidate_cache(view_id)  # a new picture at the new size, for every page
        return result

    @export_rpc("viewport.image.push.original.size")
    def set_view_size(self, view_id: str, width: int, height: int) -> dict:
        """A page's view size: kept for that page, applied when it is the presenter's."""
        if not all(isinstance(v, int) and 0 < v <= MAX_VIEW_SIDE for v in (width, height)):
            return {"error": f"view size must be two whole numbers in 1-{MAX_VIEW_SIDE}"}
        client = self._sender()
        if client is not None:
            self.sizes[client] = (view_id, width, height)
        if client is not None and client != self.presenter:
            return {"result": "success"}  # this page shows the presenter's picture, scaled
        return self._apply(view_id, width, height)

    @export_rpc("viewport.image.push.quality")
    def set_view_quality(self, view_id: str, quality: float, ratio: float = 1) -> dict:
        """The presenter's JPEG quality and size ratio; a watching page's are not applied
        (its interaction would otherwise shrink everyone's picture)."""
        if self._watching() is not None:
            return {"result": "success"}
        return self._delivery().set_view_quality(view_id, quality, ratio)

    @export_rpc("viewport.image.push")
    def image_push(self, options: dict) -> None:
        """A picture is asked for. A page's request carries its view size: a watching page gets
        the presenter's picture at that size, sent to it alone. Everything else (the presenter,
        the server's own pushes after a change) goes to trame-vtk, for every page."""
        size = options.get("size") if isinstance(options, dict) else None
        client = self._watching() if size is not None else None
        if client is None:
            self._delivery().image_push(options)
            return
        if not (
            isinstance(size, list)
            and len(size) == 2
            and all(isinstance(v, int) and 0 < v <= MAX_VIEW_SIDE for v in size)
        ):
            return
        width, height = size
        delivery = self._delivery()
        view = delivery.get_view(options.get("view", -1))
        view_id = str(delivery.get_global_id(view))
        jpeg = letterboxed_jpeg(self._picture(), width, height)
        reply = {
            "image": jpeg,
            "format": "jpeg",
            "id": view_id,
            "global_id": view_id,
            "size": [width, height],
            "memsize": len(jpeg),
            "mtime": 0,
            "stale": False,
            "workTime": 0,
            "localTime": 0,
        }
        self.publish("viewport.image.push.subscription", reply, client_id=client)


def window_picture(render_window) -> NDArray[np.uint8]:
    """What ``render_window`` shows now (rows, columns, RGB), read back without rendering again
    (a render would push a new picture to every page)."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkRenderingCore import vtkWindowToImageFilter

    grab = vtkWindowToImageFilter()
    grab.SetInput(render_window)
    grab.ShouldRerenderOff()
    grab.ReadFrontBufferOff()
    grab.SetInputBufferTypeToRGB()
    grab.Update()
    image = grab.GetOutput()
    w, h, _ = image.GetDimensions()
    pixels = vtk_to_numpy(image.GetPointData().GetScalars()).reshape(h, w, -1)
    return np.ascontiguousarray(pixels[::-1, :, :3])  # VTK's rows run bottom to top


def letterboxed_jpeg(picture: NDArray[np.uint8], width: int, height: int) -> bytes:
    """``picture`` scaled to fit ``width`` x ``height`` pixels (aspect kept, white around), as JPEG."""
    import imageio.v3 as iio
    from scipy.ndimage import zoom

    rgb = np.asarray(picture)[..., :3]
    scale = min(width / rgb.shape[1], height / rgb.shape[0])
    w, h = max(1, min(width, round(rgb.shape[1] * scale))), max(1, min(height, round(rgb.shape[0] * scale)))
    scaled = zoom(rgb, (h / rgb.shape[0], w / rgb.shape[1], 1), order=1, grid_mode=True, mode="nearest")[:h, :w]
    out = np.full((height, width, 3), 255, np.uint8)
    top, left = (height - scaled.shape[0]) // 2, (width - scaled.shape[1]) // 2
    out[top : top + scaled.shape[0], left : left + scaled.shape[1]] = scaled
    return iio.imwrite("<bytes>", out, extension=".jpeg", quality=90)
