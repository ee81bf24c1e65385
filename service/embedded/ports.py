"""A free TCP port on the loopback address, for servers started on this machine."""

from __future__ import annotations

import errno
import socket


def free_tcp_port() -> int:
    """A port nothing listens on now (the caller binds it soon after; a race is possible)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def tcp_port_in_use(host: str, port: int) -> bool:
    """Whether a server could not bind host:port now (as uvicorn binds it, SO_REUSEADDR on)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except OSError:
        return False  # a host that does not resolve: not a port problem
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            return error.errno == errno.EADDRINUSE
    return False
