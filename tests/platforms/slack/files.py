"""File uploads as files_upload_v2 makes them: ask for an upload URL, post the bytes, complete."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from tests.platforms.slack.changes import Changes
from tests.platforms.slack.webapi import Context, Method
from tests.platforms.slack.world import Args, SlackError, World


@dataclass(frozen=True, slots=True)
class SharedFile:
    id: str
    filename: str
    title: str
    content: bytes
    channels: tuple[str, ...]
    thread_ts: str | None
    initial_comment: str | None


class Files:
    def __init__(self, world: World, changes: Changes) -> None:
        self.shared: list[SharedFile] = []
        self._world = world
        self._changes = changes
        self._uploads: dict[str, Args] = {}  # file id -> pending upload

    def methods(self) -> dict[str, Method]:
        return {
            "files.getUploadURLExternal": Method(self.get_upload_url),
            "files.completeUploadExternal": Method(self.complete_upload),
        }

    def get_upload_url(self, context: Context) -> Args:
        filename = str(context.need("filename"))
        length = str(context.need("length"))
        if not length.isdigit():
            raise SlackError("invalid_arguments", messages=["[ERROR] length must be an integer"])
        file_id = f"F{next(self._world.numbers):010d}"
        self._uploads[file_id] = {"filename": filename, "length": int(length), "content": None}
        return {"upload_url": f"{self._world.base_url}/upload/v1/{file_id}", "file_id": file_id}

    async def upload(self, request: web.Request) -> web.Response:
        pending = self._uploads.get(request.match_info["file_id"])
        if pending is None:
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            sent = form.get("file") or form.get("filename")
            content = sent.file.read() if isinstance(sent, web.FileField) else str(sent).encode()
        else:
            content = await request.read()
        pending["content"] = content
        self._changes.notify()
        return web.Response(text=f"OK - {len(content)}", content_type="text/plain")

    def complete_upload(self, context: Context) -> Args:
        described = context.need("files")
        if not isinstance(described, list):
            raise SlackError("invalid_arguments", messages=["[ERROR] files must be a JSON array"])
        channel_ids = [
            c
            for c in str(context.get("channels") or context.get("channel_id") or "").split(",")
            if c
        ]
        channels = [self._world.postable(context.team, c) for c in channel_ids]
        answered: list[Args] = []
        for entry in described:
            pending = self._uploads.get(str(entry.get("id")))
            if pending is None or pending["content"] is None:
                raise SlackError("file_not_found")
            file_id = str(entry["id"])
            title = str(entry.get("title") or pending["filename"])
            shared = SharedFile(
                id=file_id,
                filename=pending["filename"],
                title=title,
                content=pending["content"],
                channels=tuple(c.id for c in channels),
                thread_ts=context.get("thread_ts"),
                initial_comment=context.get("initial_comment"),
            )
            self.shared.append(shared)
            del self._uploads[file_id]
            answered.append(self._file_object(context, shared))
        for channel in channels:
            comment = context.get("initial_comment") or ""
            message = self._world.bot_message(context.team, comment, None)
            message.update(
                {"files": [{"id": f["id"], "name": f["name"]} for f in answered], "upload": True}
            )
            self._world.store(channel, message, thread_ts=context.get("thread_ts"))
        return {"files": answered}

    def _file_object(self, context: Context, shared: SharedFile) -> Args:
        return {
            "id": shared.id,
            "created": int(self._world.clock()),
            "name": shared.filename,
            "title": shared.title,
            "mimetype": "text/plain",
            "filetype": "text",
            "user": context.team.bot_user_id,
            "size": len(shared.content),
            "mode": "hosted",
            "is_external": False,
            "url_private": f"{self._world.base_url}/files/{shared.id}/{shared.filename}",
            "permalink": f"https://{context.team.domain}.slack.com/files/{shared.id}",
            "channels": [],
            "groups": [],
            "ims": [],
            "shares": {},
        }
