"""Build progress: the builder reports stages, the CLI draws them (rich)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def close(self, finished: bool = True) -> None: ...


class Silent:
    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def close(self, finished: bool = True) -> None:
        pass


class RichProgress:
    """One bar per stage (documents, chunks, embedding batches) on stderr."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as _P

        self._p = _P(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task: object = None
        self._started = False

    def stage(self, name: str, total: int | None) -> None:
        if not self._started:
            self._p.start()
            self._started = True
        if self._task is not None:
            t = self._p.tasks[-1]
            self._p.update(self._task, completed=t.total or t.completed)
        self._task = self._p.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._p.advance(self._task, n)  # type: ignore[arg-type]

    def close(self, finished: bool = True) -> None:
        """Stop the bars; ``finished``: the last stage ran to the end (an interrupted one stays where it was)."""
        if self._task is not None and finished:
            t = self._p.tasks[-1]
            self._p.update(self._task, completed=t.total or t.completed)
        if self._started:
            self._p.stop()
            self._started = False
