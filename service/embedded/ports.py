"""A free TCP port on the loopback address, for servers started on this machine."""

from __future__ import annotations

import socket


def free_tcp_port() -> int:
    """A port nothing listens on now (the caller binds it soon after; a race is possible)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
