"""Safety for ``pelvis3d serve``: checked state values, who may connect, where to find it.

Three guards, each independent of trame so they can be tested on their own:

* :class:`StateRules` checks every value a browser sends before any handler acts on it:
  numbers must be finite (``NaN``/``inf``/text are rejected), then clamped to the slider's
  range; switches must be true/false; a view must be a known preset. A rejected value is
  replaced by the last good one, so two linked handlers can never copy a bad value back and
  forth (the ``right_rotation = "NaN"`` freeze).
* :func:`connection_guard` is an aiohttp middleware that, as Jupyter does, refuses
  cross-origin WebSockets (the ``Origin`` must name the page's own host) and, on a loopback
  bind, any ``Host`` that is not a loopback name (DNS rebinding). Beyond loopback a random
  token (wslink's ``secret``, given in the printed URL) is required by default.
* :func:`reachable_urls` prints addresses people can actually type, not ``0.0.0.0``.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import secrets
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from pelvis3d.errors import Pelvis3dError

__all__ = [
    "LOOPBACK_NAMES",
    "StateRules",
    "StateValueError",
    "connection_guard",
    "is_loopback",
    "new_token",
    "reachable_urls",
]

#: Host names that always mean "this machine".
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


class StateValueError(Pelvis3dError, ValueError):
    """A value sent by a browser is not allowed for its field."""


@dataclass
class StateRules:
    """What each browser-settable field may hold.

    Parameters
    ----------
    ranges : mapping of str to (float, float)
        Numeric fields and their closed range (degrees, or the factor for exaggeration);
        finite values outside are clamped to the range.
    switches : iterable of str
        Fields that must be ``True`` or ``False``.
    choices : mapping of str to iterable of str
        Fields that must be one of the listed names.
    """

    ranges: Mapping[str, tuple[float, float]]
    switches: Iterable[str] = ()
    choices: Mapping[str, Iterable[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.switches = frozenset(self.switches)
        self.choices = {k: tuple(v) for k, v in self.choices.items()}

    def clean(self, name: str, value: object) -> object:
        """The allowed value for ``name`` (a clamped float, a bool or a known choice).

        Raises
        ------
        StateValueError
            The value is not finite, not a number, not true/false or not a known choice.
        """
        if name in self.ranges:
            lo, hi = self.ranges[name]
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise StateValueError(f"{name} must be a number in [{lo:g}, {hi:g}], got {value!r:.40}")
            number = float(value)
            if not math.isfinite(number):
                raise StateValueError(f"{name} must be a finite number in [{lo:g}, {hi:g}], got {value!r}")
            return min(max(number, float(lo)), float(hi))
        if name in self.switches:
            if not isinstance(value, bool):
                raise StateValueError(f"{name} must be true or false, got {value!r:.40}")
            return value
        if name in self.choices:
            if not isinstance(value, str) or value not in self.choices[name]:
                raise StateValueError(f"{name} must be one of {', '.join(self.choices[name])}, got {value!r:.40}")
            return value
        raise StateValueError(f"{name} cannot be set from a browser")


def new_token() -> str:
    """A random URL-safe token (128 bits) for wslink's ``secret``."""
    return secrets.token_urlsafe(16)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) only accepts connections from this machine."""
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _outward_address() -> str | None:
    """This machine's address on the network that holds the default route (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
            return s.getsockname()[0]
        except OSError:
            return None


def reachable_urls(host: str, port: int, token: str | None = None) -> list[str]:
    """URLs a person can open for a server bound to ``host:port`` (wildcards resolved).

    ``0.0.0.0`` and ``::`` are replaced by this machine's network address and name.
    """
    query = f"?secret={token}" if token else ""
    if host in ("0.0.0.0", "::", ""):
        names: list[str] = []
        outward = _outward_address()
        if outward and not outward.startswith("127."):
            names.append(outward)
        hostname = socket.gethostname()
        if hostname and hostname not in names:
            names.append(hostname)
        names = names or ["127.0.0.1"]
    else:
        names = [f"[{host}]" if ":" in host else host]
    return [f"http://{name}:{int(port)}/{query}" for name in names]


def _host_name(header: str) -> str:
    """The name part of a ``Host`` header or an origin's netloc (without the port)."""
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def connection_guard(
    *,
    loopback_only: bool,
    on_join: Callable[[], None] | None = None,
    on_leave: Callable[[], None] | None = None,
    ws_path: str = "/ws",
) -> Callable[..., Awaitable[object]]:
    """An aiohttp middleware with the Host/Origin checks (Jupyter's rules) and a client count.

    Parameters
    ----------
    loopback_only : bool
        The server is bound to a loopback address: refuse any ``Host`` that is not a loopback
        name (a page on another site resolving its name to 127.0.0.1).
    on_join, on_leave : callable, optional
        Called when a WebSocket client connects and when it leaves (tab closed).
    ws_path : str
        The WebSocket route.
    """
    from aiohttp import web

    @web.middleware
    async def guard(request: web.Request, handler: Callable[..., Awaitable[object]]) -> object:
        host = request.headers.get("Host", "")
        if loopback_only and _host_name(host) not in LOOPBACK_NAMES:
            return web.Response(status=403, text=f"pelvis3d: host {host!r} refused (this server is local only)\n")
        if request.path != ws_path:
            return await handler(request)
        origin = request.headers.get("Origin")
        if origin is not None:
            netloc = origin.split("://", 1)[-1].rstrip("/")
            if netloc.lower() != host.lower():
                return web.Response(status=403, text=f"pelvis3d: cross-origin WebSocket from {origin!r} refused\n")
        if on_join:
            on_join()
        try:
            return await handler(request)
        except (ConnectionError, OSError):  # a tab closed mid-message: not an error for the teacher
            return web.Response(status=499)
        except (ValueError, TypeError, KeyError) as exc:  # a malformed message: drop that client only
            logging.getLogger("pelvis3d.serve").warning(
                "pelvis3d serve: dropped a connection that sent a malformed message (%s)", exc
            )
            return web.Response(status=400)
        finally:
            if on_leave:
                on_leave()

    return guard
