"""Block Kit: the limits Slack enforces on blocks and views, worded as Slack words them.

Each check returns Slack's `[ERROR] ... [json-pointer:...]` messages, empty
when Slack would accept the payload.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def block_errors(blocks: Any, *, limit: int, pointer: str = "/blocks") -> list[str]:
    """What Slack would refuse in `blocks` (empty when it would accept them)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    errors = []
    if len(blocks) > limit:
        errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    for index, block in enumerate(blocks):
        errors += _block_errors(block, f"{pointer}/{index}")
    return errors


def view_errors(view: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home"):
        errors.append("[ERROR] must be a valid enum value [json-pointer:/view/type]")
    if kind == "modal":
        errors += _text_errors(view.get("title"), "/view/title", limit=24, plain=True)
        for key in ("submit", "close"):
            if view.get(key) is not None:
                errors += _text_errors(view[key], f"/view/{key}", limit=24, plain=True)
        inputs = [
            b for b in view.get("blocks") or [] if isinstance(b, dict) and b.get("type") == "input"
        ]
        if inputs and view.get("submit") is None:
            needed = "must provide a submit property when using input blocks"
            errors.append(f"[ERROR] {needed} [json-pointer:/view]")
    for key, most in (("callback_id", 255), ("private_metadata", 3000), ("external_id", 255)):
        errors += _length_errors(view.get(key), f"/view/{key}", most)
    return errors + block_errors(view.get("blocks", []), limit=100, pointer="/view/blocks")


def _block_errors(block: Any, at: str) -> list[str]:
    if not isinstance(block, dict) or "type" not in block:
        return [f"[ERROR] missing required field: type [json-pointer:{at}]"]
    errors = _length_errors(block.get("block_id"), f"{at}/block_id", 255)
    match block["type"]:
        case "section":
            if block.get("text") is None and not block.get("fields"):
                errors.append(f"[ERROR] must provide either text or fields [json-pointer:{at}]")
            if block.get("text") is not None:
                errors += _text_errors(block["text"], f"{at}/text", limit=3000)
            fields = block.get("fields") or []
            if len(fields) > 10:
                errors.append(f"[ERROR] no more than 10 items allowed [json-pointer:{at}/fields]")
            for index, item in enumerate(fields):
                errors += _text_errors(item, f"{at}/fields/{index}", limit=2000)
            if block.get("accessory") is not None:
                errors += _element_errors(block["accessory"], f"{at}/accessory")
        case "header":
            errors += _text_errors(block.get("text"), f"{at}/text", limit=150, plain=True)
        case "context" | "actions":
            most = 10 if block["type"] == "context" else 25
            elements = block.get("elements") or []
            if not 0 < len(elements) <= most:
                errors.append(f"[ERROR] must have 1 to {most} items [json-pointer:{at}/elements]")
            for index, element in enumerate(elements):
                where = f"{at}/elements/{index}"
                if block["type"] == "actions":
                    errors += _element_errors(element, where)
                elif isinstance(element, dict) and element.get("type") in ("plain_text", "mrkdwn"):
                    errors += _text_errors(element, where, limit=3000)
        case "input":
            errors += _text_errors(block.get("label"), f"{at}/label", limit=2000, plain=True)
            if block.get("element") is None:
                errors.append(f"[ERROR] missing required field: element [json-pointer:{at}]")
            else:
                errors += _element_errors(block["element"], f"{at}/element")
        case "divider" | "image" | "rich_text" | "markdown" | "file" | "video":
            pass
        case other:
            errors.append(f"[ERROR] unsupported type: {other} [json-pointer:{at}/type]")
    return errors


def _element_errors(element: Any, at: str) -> list[str]:
    if not isinstance(element, dict) or "type" not in element:
        return [f"[ERROR] missing required field: type [json-pointer:{at}]"]
    errors = _length_errors(element.get("action_id"), f"{at}/action_id", 255)
    if element["type"] == "button":
        errors += _text_errors(element.get("text"), f"{at}/text", limit=75, plain=True)
        errors += _length_errors(element.get("value"), f"{at}/value", 2000)
        errors += _length_errors(element.get("url"), f"{at}/url", 3000)
        if element.get("style") not in (None, "primary", "danger"):
            errors.append(f"[ERROR] must be a valid enum value [json-pointer:{at}/style]")
    if element.get("placeholder") is not None:
        errors += _text_errors(element["placeholder"], f"{at}/placeholder", limit=150, plain=True)
    options = element.get("options") or []
    if len(options) > 100:
        errors.append(f"[ERROR] no more than 100 items allowed [json-pointer:{at}/options]")
    for index, option in enumerate(options):
        where = f"{at}/options/{index}"
        errors += _text_errors(option.get("text"), f"{where}/text", limit=75)
        errors += _length_errors(option.get("value"), f"{where}/value", 150)
    return errors


def _text_errors(text: Any, at: str, *, limit: int, plain: bool = False) -> list[str]:
    if not isinstance(text, dict):
        return [f"[ERROR] missing required field: text [json-pointer:{at}]"]
    allowed = ("plain_text",) if plain else ("plain_text", "mrkdwn")
    if text.get("type") not in allowed:
        return [f"[ERROR] must be a valid enum value [json-pointer:{at}/type]"]
    value = text.get("text")
    if not isinstance(value, str) or not value:
        return [f"[ERROR] must be more than 0 characters [json-pointer:{at}/text]"]
    return _length_errors(value, f"{at}/text", limit)


def _length_errors(value: Any, at: str, limit: int) -> list[str]:
    if isinstance(value, str) and len(value) > limit:
        return [f"[ERROR] must be less than {limit + 1} characters [json-pointer:{at}]"]
    return []
