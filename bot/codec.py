"""Neutral values to JSON and back, for the inbox and the outbox.

An event claimed in the inbox must survive a crash to be processed on
restart, and an outbound message must survive one to be sent; both are
stored as JSON. Values are tagged so that datetimes, members and nested
dataclasses come back as they went in.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from bot import chat

_TYPES: dict[str, type[Any]] = {
    t.__name__: t
    for t in (
        *chat.EVENT_TYPES,
        chat.WorkspaceRef,
        chat.MemberRef,
        chat.Member,
        chat.Workspace,
        chat.Message,
        chat.Action,
        chat.Attachment,
        chat.Form,
        chat.FormField,
    )
}
_ENUMS: dict[str, type[Enum]] = {
    t.__name__: t
    for t in (
        chat.Platform,
        chat.Role,
        chat.Visibility,
        chat.ButtonStyle,
        chat.FieldKind,
    )
}


_PLAIN = frozenset({str, int, float, bool, type(None)})

# Field names per dataclass, read once: `dataclasses.fields` is slow to call per value.
_FIELDS: dict[type[Any], tuple[str, ...]] = {}

# Workspace and member references are frozen values that recur in almost every
# payload (a kudos message names its giver and receivers): each is encoded once
# and its encoding reused. Encodings are never modified, only serialised.
_REFERENCES: dict[type[Any], tuple[str, ...]] = {
    kind: tuple(f.name for f in dataclasses.fields(kind))
    for kind in (chat.WorkspaceRef, chat.MemberRef)
}
_REFERENCES_KEPT = 4096
_encoded_references: dict[object, object] = {}


def _encode(value: object) -> object:
    kind = type(value)
    if kind in _PLAIN:  # exact types: a StrEnum is a str, and is tagged below
        return value
    shared = _REFERENCES.get(kind)
    if shared is not None:
        encoded = _encoded_references.get(value)
        if encoded is None:
            if len(_encoded_references) >= _REFERENCES_KEPT:
                _encoded_references.clear()
            encoded = _encoded_references[value] = {
                "$type": kind.__name__,
                "v": {name: _encode(getattr(value, name)) for name in shared},
            }
        return encoded
    names = _FIELDS.get(kind)
    if names is not None:  # a dataclass seen before: the common case, first
        return {
            "$type": kind.__name__,
            "v": {name: _encode(getattr(value, name)) for name in names},
        }
    if isinstance(value, dict) and all(type(k) is str for k in value):
        return {"$map": {k: _encode(v) for k, v in value.items()}}
    if isinstance(value, Enum):
        name = type(value).__name__
        if _ENUMS.get(name) is not type(value):
            raise TypeError(f"cannot encode the enum {name}")
        return {"$enum": name, "v": value.value}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return _encode_datetime(value)
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": [value.days, value.seconds, value.microseconds]}
    if isinstance(value, frozenset | set):
        # Sorted by their JSON text: elements of mixed or unorderable types
        # (enums, members) still give one stable encoding.
        items = [_encode(v) for v in value]
        return {"$set": sorted(items, key=lambda item: json.dumps(item, sort_keys=True))}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        kind = type(value)
        names = _FIELDS.get(kind)
        if names is None:
            if _TYPES.get(kind.__name__) is not kind:
                raise TypeError(f"cannot encode {kind.__name__}")
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(value))
        fields = {name: _encode(getattr(value, name)) for name in names}
        return {"$type": kind.__name__, "v": fields}
    if isinstance(value, Mapping):
        if all(isinstance(k, str) for k in value):
            return {"$map": {k: _encode(v) for k, v in value.items()}}
        return {"$pairs": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__}")


def _encode_datetime(value: datetime) -> dict[str, object]:
    """The wall time with its offset, and its IANA zone when it has one: a
    time in "Europe/Paris" comes back in that zone (not as a bare +02:00),
    on the same side of a repeated hour."""
    encoded: dict[str, object] = {"$dt": value.isoformat()}
    if isinstance(value.tzinfo, ZoneInfo) and value.tzinfo.key:
        encoded["tz"] = value.tzinfo.key
    if value.fold:
        encoded["fold"] = value.fold
    return encoded


def _decode_datetime(value: dict[str, Any]) -> datetime:
    moment = datetime.fromisoformat(value["$dt"])
    if "tz" in value:
        moment = moment.replace(tzinfo=ZoneInfo(value["tz"]))
    return moment.replace(fold=value.get("fold", 0))


def _decode(value: object) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    for tag in value:  # a tagged value's first key is its tag
        decode = _DECODERS.get(tag)
        if decode is None:
            break
        return decode(value)
    raise ValueError(f"unknown tagged value: {sorted(value)}")


def _decode_type(value: dict[str, Any]) -> Any:
    cls = _TYPES[value["$type"]]
    return cls(**{k: _decode(v) for k, v in value["v"].items()})


def _decode_td(value: dict[str, Any]) -> timedelta:
    days, seconds, microseconds = value["$td"]
    return timedelta(days=days, seconds=seconds, microseconds=microseconds)


_DECODERS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "$type": _decode_type,
    "$map": lambda value: {k: _decode(v) for k, v in value["$map"].items()},
    "$enum": lambda value: _ENUMS[value["$enum"]](value["v"]),
    "$dt": _decode_datetime,
    "$tuple": lambda value: tuple(_decode(v) for v in value["$tuple"]),
    "$date": lambda value: date.fromisoformat(value["$date"]),
    "$td": _decode_td,
    "$set": lambda value: frozenset(_decode(v) for v in value["$set"]),
    "$pairs": lambda value: {_decode(k): _decode(v) for k, v in value["$pairs"]},
}


def dumps(value: object) -> str:
    """JSON text for an event, a message or any value they contain."""
    # ASCII only: a lone surrogate in a platform's text could not be stored
    # as UTF-8, but its \u escape can.
    return json.dumps(_encode(value), separators=(",", ":"))


def loads(text: str) -> Any:
    return _decode(json.loads(text))


def load_event(text: str) -> chat.Event:
    value = loads(text)
    if not isinstance(value, chat.Event):
        raise ValueError("not an event")
    return value


def load_message(text: str) -> chat.Message:
    value = loads(text)
    if not isinstance(value, chat.Message):
        raise ValueError("not a message")
    return value
