"""Neutral values to JSON and back, for the inbox and the outbox.

An event claimed in the inbox must survive a crash to be processed on
restart, and an outbound message must survive one to be sent; both are
stored as JSON. Values are tagged so that datetimes, members and nested
dataclasses come back as they went in.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

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


def _encode(value: object) -> object:
    if isinstance(value, Enum):
        return {"$enum": type(value).__name__, "v": value.value}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": value.total_seconds()}
    if isinstance(value, frozenset | set):
        return {"$set": sorted(_encode(v) for v in value)}  # type: ignore[type-var]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _TYPES:
            raise TypeError(f"cannot encode {name}")
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$type": name, "v": fields}
    if isinstance(value, Mapping):
        return {"$map": {str(k): _encode(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return [_encode(v) for v in value]
    raise TypeError(f"cannot encode {type(value).__name__}")


def _decode(value: object) -> Any:
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "$enum" in value:
        return _ENUMS[value["$enum"]](value["v"])
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$date" in value:
        return date.fromisoformat(value["$date"])
    if "$td" in value:
        return timedelta(seconds=value["$td"])
    if "$set" in value:
        return frozenset(_decode(v) for v in value["$set"])
    if "$map" in value:
        return {k: _decode(v) for k, v in value["$map"].items()}
    if "$type" in value:
        cls = _TYPES[value["$type"]]
        return cls(**{k: _decode(v) for k, v in value["v"].items()})
    raise ValueError(f"unknown tagged value: {sorted(value)}")


def dumps(value: object) -> str:
    """JSON text for an event, a message or any value they contain."""
    return json.dumps(_encode(value), separators=(",", ":"), ensure_ascii=False)


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
