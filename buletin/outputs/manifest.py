"""manifest.json, and each output file's sha256, worked out once a build."""
from __future__ import annotations

import hashlib
import json

from buletin import __version__

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Digests:
    """Each output file's sha256, worked out once a build: the writer, the search index's keys and the
    manifest all need it. A page reused from the last output comes with the digest its manifest lists."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[bytes, str]] = {}

    def of(self, path: str, data: bytes) -> str:
        found = self._known.get(path)
        if found is not None and found[0] is data:  # these very bytes: a file's path may get others
            return found[1]
        digest = sha256(data)
        self._known[path] = (data, digest)
        return digest

    def known(self, path: str) -> str | None:
        """The digest worked out last for `path` this build, if any."""
        found = self._known.get(path)
        return found[1] if found else None

    def note(self, path: str, data: bytes, digest: str) -> None:
        """`digest` is known to be that of `data` (the bytes the last build wrote, with their manifest's hash)."""
        self._known[path] = (data, digest)


def manifest(version: str, built_at: str, commit: str | None, inputs: dict[str, str],
             files: dict[str, bytes], digests: Digests | None = None) -> bytes:
    """manifest.json: what was built, when, from what, and the hash of every output file."""
    digest = (digests or Digests()).of
    document = {"version": version, "generator": f"buletin {__version__}", "built_at": built_at,
                "commit": commit, "inputs": inputs,
                "files": {path: digest(path, data) for path, data in sorted(files.items()) if path != MANIFEST}}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
