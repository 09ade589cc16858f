"""Reading the build state's pickles back, safely: a cache folder may have come with a commit, a downloaded
archive or another machine's CI cache, and a pickle can name any function to call. Only what buletin itself
keeps is made from them: its own data classes (built field by field, as pickling left them), dates, and the
built-in containers; any other name is refused, and the entry is then made again.
"""
from __future__ import annotations

import builtins
import datetime as dt
import enum
import io
import pickle
from typing import Any, BinaryIO

# The classes a pickle may name: these of the standard library, and buletin's own once found plain (a build reads
# thousands of entries, each naming a few).
_ALLOWED: dict[tuple[str, str], Any] = {("datetime", name): getattr(dt, name)
                                        for name in ("date", "datetime", "time", "timedelta", "timezone")}
_ALLOWED.update({("builtins", name): getattr(builtins, name)
                 for name in ("set", "frozenset", "complex", "bytearray", "slice", "range")})


class RefusedPickle(pickle.UnpicklingError):
    """A pickle names something buletin never keeps."""


# What reading a damaged, foreign or refused pickle raises: the entry is then made again.
UNREADABLE = (EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, IndexError)


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        allowed = _ALLOWED.get((module, name))
        if allowed is not None:
            return allowed
        if module.startswith("buletin."):
            found = super().find_class(module, name)
            if isinstance(found, type) and _plain(found):
                _ALLOWED[(module, name)] = found
                return found
        raise RefusedPickle(f"{module}.{name}")


def _plain(cls: type) -> bool:
    """A class whose making runs nothing but setting its fields: a data class without __post_init__, a named
    tuple, an enumeration, or the problem list."""
    import dataclasses  # here: a no-op build reads records of plain containers, and dataclasses imports inspect

    if issubclass(cls, enum.Enum) or (issubclass(cls, tuple) and hasattr(cls, "_fields")):
        return True
    if dataclasses.is_dataclass(cls):
        return not hasattr(cls, "__post_init__")
    return cls.__qualname__ == "Problems" and cls.__module__ == "buletin.problems"


def loads(data: bytes) -> Any:
    """pickle.loads for the build state's entries; RefusedPickle for a name it never keeps."""
    return _Unpickler(io.BytesIO(data)).load()


def load(file: BinaryIO) -> Any:
    """pickle.load for the build state's records."""
    return _Unpickler(file).load()
