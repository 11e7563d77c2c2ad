"""The digital team's web console (login, live queue, conversation takeover)."""
