"""Sentinel URLs: where Redis Sentinel watches the primary that Intake should use."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SENTINEL_SCHEME = "redis+sentinel"
_SENTINEL_FORM = "redis+sentinel://[:password@]host:port[,host:port...]/service[/db]"


@dataclass(frozen=True, slots=True)
class SentinelAddress:
    """Where Redis Sentinel watches the primary that Intake should use."""

    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    password: str | None = None


def parse_sentinel_url(url: str) -> SentinelAddress:
    """`redis+sentinel://[:password@]host:port[,host:port...]/service[/db]`.

    The password is the primary's (Sentinels themselves are asked without one); `service` is
    the name the Sentinels monitor the primary under (`sentinel monitor <service> ...`).
    """
    parts = urlsplit(url)
    if parts.scheme != SENTINEL_SCHEME:
        raise ValueError(f"INTAKE_REDIS_URL: not a {SENTINEL_SCHEME}:// URL: {url!r}")
    credentials, _, hosts = parts.netloc.rpartition("@")
    password = unquote(credentials.partition(":")[2]) if credentials else None
    sentinels: list[tuple[str, int]] = []
    for entry in hosts.split(","):
        host, _, port = entry.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(
                f"INTAKE_REDIS_URL: {entry.strip() or 'an empty entry'!r} is not a Sentinel's "
                f"host:port; expected {_SENTINEL_FORM}"
            )
        sentinels.append((host.strip("[]"), int(port)))
    path = [segment for segment in parts.path.split("/") if segment]
    if not path or len(path) > 2 or (len(path) == 2 and not path[1].isdigit()):
        raise ValueError(
            f"INTAKE_REDIS_URL: the path must name the monitored service and optionally a "
            f"database number; expected {_SENTINEL_FORM}"
        )
    return SentinelAddress(
        tuple(sentinels), unquote(path[0]), int(path[1]) if len(path) == 2 else 0, password or None
    )
