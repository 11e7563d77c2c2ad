"""Storage: SQLAlchemy 2 async models, Alembic migrations, and the repository the runtime uses."""
