"""An error a schema validator raises about one value deep inside a content file.

Kept apart from the YAML reader (``yamlsrc``) so the schemas, which the pure engine imports, do not pull a YAML
parser into it; the loader turns the value's path into the file's line.
"""
from __future__ import annotations

Path = tuple[str | int, ...]


class PlacedError(ValueError):
    """A model validator's complaint about one value deep inside the file: carries the value's path,
    so the admin is sent to that line instead of the top of the file."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path
