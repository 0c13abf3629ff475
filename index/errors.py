"""Exceptions raised by the retrieval core.

Every one of them carries a message written for a person: the CLI and the bot
print ``str(exc)`` as a single line, never a traceback.
"""


class CitebotError(Exception):
    """Base class of every error the core raises on purpose."""


class IndexNotFound(CitebotError):
    def __init__(self, path: object) -> None:
        super().__init__(f"no index at {path}: build one first with `citebot index build`")


class ModelMismatch(CitebotError):
    """The index was built with another model, backend or format version."""

    def __init__(self, what: str, index_value: object, wanted: object) -> None:
        super().__init__(
            f"the index was built with {what} {index_value!s}, but this citebot uses {wanted!s}: "
            "rebuild it with `citebot index build`"
        )


class CorruptIndex(CitebotError):
    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"the index at {path} is damaged ({reason}): rebuild it with `citebot index build`")


class NotAnIndex(CitebotError):
    """A build was pointed at a directory that holds something else: nothing is touched."""

    def __init__(self, path: object, what: str) -> None:
        super().__init__(
            f"refusing to build into {path}: {what}; a build only replaces a citebot index or an empty folder, "
            "so choose another --index"
        )


class UnsafeIndexPath(CitebotError):
    """``--index`` overlaps the documents or the working directory."""

    def __init__(self, path: object, why: str) -> None:
        super().__init__(f"refusing to build into {path}: {why}; choose another --index")


class DocsNotFound(CitebotError):
    def __init__(self, path: object) -> None:
        super().__init__(f"documents folder not found: {path}")


class EmptyCorpus(CitebotError):
    def __init__(self, path: object) -> None:
        super().__init__(f"no readable documents in {path} (supported: .md .mdx .rst .txt .html .pdf .jsonl)")


class EmptyQuestion(CitebotError):
    def __init__(self) -> None:
        super().__init__("the question is empty: ask something, e.g. citebot ask \"who praised him?\"")


class BuildInProgress(CitebotError):
    def __init__(self, path: object) -> None:
        super().__init__(f"another index build is running on {path}; try again when it has finished")


class ModelNotAvailable(CitebotError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"cannot load the embedding model {name!r}: {reason}")


class QuestionTooLong(CitebotError):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"the question is {length} characters long; the limit is {limit}: please ask something shorter")


class InvalidSettings(CitebotError):
    """The settings cannot be read (a .env file that is not UTF-8 or not readable)."""
