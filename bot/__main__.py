"""`python -m bot` runs the CLI."""
from bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
