"""Programming languages by file extension: which files are code documents, and what a code block is."""

from __future__ import annotations

from pathlib import Path

# source files indexed as code documents (cut at top-level definitions; comments as prose)
CODE_LANGUAGES: dict[str, str] = {
    ".py": "python", ".pyi": "python", ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript",
    ".jsx": "jsx", ".ts": "typescript", ".tsx": "tsx", ".go": "go", ".rs": "rust", ".java": "java",
    ".kt": "kotlin", ".kts": "kotlin", ".scala": "scala", ".c": "c", ".h": "c", ".cc": "cpp",
    ".cpp": "cpp", ".cxx": "cpp", ".hpp": "cpp", ".hh": "cpp", ".cs": "csharp", ".fs": "fsharp",
    ".rb": "ruby", ".php": "php", ".swift": "swift", ".m": "objective-c", ".dart": "dart",
    ".lua": "lua", ".r": "r", ".jl": "julia", ".ex": "elixir", ".exs": "elixir", ".erl": "erlang",
    ".hs": "haskell", ".ml": "ocaml", ".clj": "clojure", ".sh": "bash", ".bash": "bash", ".zsh": "zsh",
    ".ps1": "powershell", ".sql": "sql", ".vue": "vue", ".svelte": "svelte", ".zig": "zig",
    ".nim": "nim", ".pl": "perl", ".groovy": "groovy", ".proto": "protobuf",
}  # fmt: skip

# other text files a page may include as code (configuration, data); not indexed on their own
INCLUDE_LANGUAGES: dict[str, str] = CODE_LANGUAGES | {
    ".toml": "toml", ".yaml": "yaml", ".yml": "yaml", ".json": "json", ".ini": "ini", ".cfg": "ini",
    ".xml": "xml", ".html": "html", ".css": "css", ".md": "markdown", ".rst": "rst", ".txt": "text",
    ".dockerfile": "dockerfile", ".env": "bash", ".graphql": "graphql", ".tf": "terraform",
}  # fmt: skip

_NAMES = {"Dockerfile": "dockerfile", "Makefile": "make", "Justfile": "just"}


def language_of(path: Path | str) -> str:
    p = Path(path)
    return _NAMES.get(p.name) or INCLUDE_LANGUAGES.get(p.suffix.lower(), "")


def fence_language(info: str) -> str:
    """The language of a Markdown fence's info string: ```` ```python title="a.py" ```` → python,
    ```` ```{.py} ```` → py, ```` ```{code-block} bash ```` is handled by the MyST code."""
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    word = word.strip("{}").lstrip(".")
    return word.split(",")[0].lower()
