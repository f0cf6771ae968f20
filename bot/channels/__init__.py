"""Chat channels: one small module per platform behind the `Channel` protocol."""

from bot.channels.base import (
    Channel,
    ChannelError,
    Migrated,
    Permanent,
    RateLimited,
    Transient,
    split_text,
)

__all__ = ["Channel", "ChannelError", "Migrated", "Permanent", "RateLimited", "Transient",
           "split_text"]
