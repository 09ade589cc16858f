"""data/datapackage.yaml as written: its keys declared once as types, for the schema mechanism to validate
(inputs/datapackage turns them into the resources a build uses)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal, get_args

from buletin.inputs.paths import unsafe_relative
from buletin.inputs.schema import option
from buletin.messages import _, number
from buletin.urls import MAX_SLUG, is_windows_device

FieldType = Literal["string", "integer", "number", "date", "yearmonth", "year", "boolean"]
FIELD_TYPES = get_args(FieldType)


_RESOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def _resource_name(text: str) -> str | None:
    """A resource's name becomes a file name of the output (data/NAME.csv): letters, digits, `.`, `-`, `_`."""
    if _RESOURCE_NAME.fullmatch(text) and ".." not in text:
        if len(text) > MAX_SLUG:
            return _("`name` `{name}` is longer than {limit} characters, too long for the download's file name "
                     "(data/NAME.csv): shorten it").format(name=text[:60] + "…", limit=MAX_SLUG)
        if is_windows_device(text):
            return _("`name` `{name}` would name the download data/{name}.csv, a name Windows keeps for a device, so "
                     "the site could not be built or copied there: choose another").format(name=text)
        return None
    return _("`name` `{name}` may hold only letters a-z, digits, `-`, `_` and `.` (it becomes the download's file "
             "name, data/NAME.csv), e.g. `unit_usaha`").format(name=text)


def plain_path(text: str) -> str | None:
    unsafe = unsafe_relative(text)
    return _("`path` {problem}, e.g. `ikm.csv` for a file data/ikm.csv").format(problem=unsafe) if unsafe else None


@dataclass(frozen=True)
class ConstraintsDecl:
    """What every value of a column must satisfy."""

    required: bool = False
    unique: bool = False
    minimum: float | str | None = None
    maximum: float | str | None = None
    enum: list[str] | None = option(None, example="`enum: [sementara, tetap]`")


def _share(value: float) -> str | None:
    return None if value > 0 else _("`max_change` must be a share above 0, e.g. 0.5 for ±50%, not {value}").format(
        value=number(value))


def _amount(value: float) -> str | None:
    return None if value >= 0 else _("`min_change` must be an amount of 0 or more, e.g. 5, not {value}").format(
        value=number(value))


@dataclass(frozen=True)
class ChecksDecl:
    """Plausibility checks of a numeric column against the previous period (inputs/plausibility.py)."""

    max_change: float | None = option(None, check=_share, example="`max_change: 0.5`")
    # a change of at most this much is never in doubt: 2 to 3 is +50%, and ordinary in a column of small counts
    min_change: float | None = option(None, check=_amount, example="`min_change: 5`")


@dataclass(frozen=True)
class FieldDecl:
    name: str = option(example="`- name: unit_usaha`")
    type: FieldType = "string"
    title: str = ""
    description: str = ""
    unit: str = ""
    constraints: ConstraintsDecl = ConstraintsDecl()
    checks: ChecksDecl = ChecksDecl()
    format: str = ""
    example: Any = None


@dataclass(frozen=True)
class ReferenceDecl:
    fields: tuple[str, ...] = option(one_or_many=True)
    resource: str = ""  # empty: the resource itself


@dataclass(frozen=True)
class ForeignKeyDecl:
    fields: tuple[str, ...] = option(one_or_many=True, example="`- fields: kode_wilayah`")
    reference: ReferenceDecl = option(example="`reference: {resource: wilayah, fields: kode}`")


@dataclass(frozen=True)
class SchemaDecl:
    fields: tuple[FieldDecl, ...] = ()
    primary_key: tuple[str, ...] = option((), key="primaryKey", one_or_many=True)
    foreign_keys: tuple[ForeignKeyDecl, ...] = option((), key="foreignKeys")
    missing_values: tuple[str, ...] = option((), key="missingValues")


@dataclass(frozen=True)
class ResourceDecl:
    name: str = option(check=_resource_name, example="`- name: ikm`")
    path: str = option(check=plain_path, example="`path: ikm.csv`")
    sheet: str = ""
    title: str = ""
    description: str = ""
    sources: tuple[Any, ...] = ()
    licenses: tuple[Any, ...] = ()
    schema: SchemaDecl = SchemaDecl()
    period: str = option("", example="`period: periode`")  # the column holding each row's period
    format: str = ""
    mediatype: str = ""
    encoding: str = ""
    profile: str = ""
    key: str = option("", example="`key: kode`")  # GeoJSON: the feature property that holds an area's code


@dataclass(frozen=True)
class PackageDecl:
    resources: tuple[Any, ...] = option(example="`resources:` followed by `- name: ...` items")
    name: str = ""
    title: str = ""
    description: str = ""
    version: str = ""
    licenses: tuple[Any, ...] = ()
    sources: tuple[Any, ...] = ()
    contributors: tuple[Any, ...] = ()
    keywords: tuple[Any, ...] = ()
    homepage: str = ""
    created: str = ""
    profile: str = ""
