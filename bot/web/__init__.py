"""Web pages other than the citizen channels: health, drafts, the agent/admin console."""
