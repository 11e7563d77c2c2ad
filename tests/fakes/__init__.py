"""Local fake servers speaking the real HTTP endpoints of Telegram, Zalo Bot and Zalo OA (for tests)."""
