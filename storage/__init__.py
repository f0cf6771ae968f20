"""Persistence: SQLAlchemy 2 (async) models, migrations and the unit of work.

SQLAlchemy and Alembic are imported only inside this package.
"""
