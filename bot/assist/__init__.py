"""Assisted mode: an officer runs the citizen's conversation at the desk or at home (channel ``assist``), and the
citizen later claims the draft on their own channel with "/nhan <code>" + the phone number given there."""
