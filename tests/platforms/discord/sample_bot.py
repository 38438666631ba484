"""A small bot built the way Hearth's Discord adapter is: app commands with options and
localizations, a persistent view, a dynamic item and a modal, all registered in
`setup_hook`. Whatever its handlers see goes to `Bot.seen`, for tests to await.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

import discord
from discord import app_commands
from discord.ext import commands

from tests.platforms.discord.client import GUILD_READY_TIMEOUT


class Bot(commands.Bot):
    """A bot with the members intent that keeps what its handlers saw in `seen`."""

    def __init__(self, *, message_content: bool = False) -> None:
        intents = discord.Intents.default()
        intents.members = True
        intents.message_content = message_content
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            guild_ready_timeout=GUILD_READY_TIMEOUT,
        )
        self.seen: asyncio.Queue[Any] = asyncio.Queue()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every IDENTIFY but the first (Discord's identify rate
        limit); the emulator sets no such limit, and tests wait for events, not clocks."""

    async def setup_hook(self) -> None:
        self.add_view(Welcome())
        self.add_dynamic_items(ThankButton)
        self.tree.add_command(kudos)
        self.tree.add_command(learned)


def seen_by(interaction: discord.Interaction[Any]) -> asyncio.Queue[Any]:
    client = interaction.client
    assert isinstance(client, Bot)
    return client.seen


class Welcome(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Say hi", custom_id="hearth:welcome:hi")
    async def hi(
        self, interaction: discord.Interaction[Any], button: discord.ui.Button[Any]
    ) -> None:
        seen_by(interaction).put_nowait(("hi", interaction.user.id))
        await interaction.response.send_message("Hi!", ephemeral=True)


class ThankButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"hearth:thank:(?P<id>\d+)"
):
    def __init__(self, user_id: int) -> None:
        super().__init__(discord.ui.Button(label="Thank", custom_id=f"hearth:thank:{user_id}"))
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: Any
    ) -> ThankButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        seen_by(interaction).put_nowait(("thank", self.user_id))
        await interaction.response.defer()


class Feedback(discord.ui.Modal, title="What did you learn?"):
    topic: discord.ui.TextInput[Any] = discord.ui.TextInput(label="Topic", custom_id="topic")
    notes: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Notes", custom_id="notes", style=discord.TextStyle.paragraph
    )

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        seen_by(interaction).put_nowait((self.topic.value, self.notes.value))
        await interaction.response.send_message("Noted!", ephemeral=True)


@app_commands.command(name="kudos", description="Thank a teammate")
@app_commands.describe(to="Who to thank", reason="What for")
@app_commands.choices(
    tone=[
        app_commands.Choice(name="warm", value="warm"),
        app_commands.Choice(name="loud", value="loud"),
    ]
)
async def kudos(
    interaction: discord.Interaction[Any],
    to: discord.Member,
    reason: str,
    tone: app_commands.Choice[str] | None = None,
) -> None:
    await interaction.response.defer()
    seen_by(interaction).put_nowait(
        (to, reason, tone, interaction.locale, interaction.guild_locale)
    )
    mention = discord.AllowedMentions.none()
    await interaction.followup.send(f"Kudos to {to.mention}: {reason}", allowed_mentions=mention)


@app_commands.command(name="learned", description="Share what you learned")
async def learned(interaction: discord.Interaction[Any]) -> None:
    await interaction.response.send_modal(Feedback(custom_id="hearth:learned"))


class French(app_commands.Translator):
    WORDS: ClassVar[dict[str, str]] = {
        "kudos": "bravo",
        "Thank a teammate": "Remercier un collègue",
        "to": "pour",
    }

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        return self.WORDS.get(string.message) if locale is discord.Locale.french else None
