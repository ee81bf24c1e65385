"""Servers Intake starts itself (and the suite's throwaway ones) as `with` blocks."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Started:
    """Started on entering a `with` block, stopped on leaving it, whatever happened inside."""

    def start(self) -> object:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
