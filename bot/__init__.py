"""Chat side: channel-agnostic handlers and the channel adapters (console for now)."""
