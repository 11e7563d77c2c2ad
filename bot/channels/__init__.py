"""Channel adapters: parse (payload → InboundMessage), render (Outbound → channel format), send (I/O)."""
