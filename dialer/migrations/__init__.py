"""Alembic migrations of the dialer's schema; run by ``survey-engine db upgrade``."""
