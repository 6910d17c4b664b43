"""Every feature's models, imported in one place so Alembic and tests see the whole schema."""

from connectors.db import Base
from connectors.procedures import models as procedures

__all__ = ["Base", "procedures"]
