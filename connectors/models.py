"""Every feature's models, imported in one place so Alembic and tests see the whole schema."""

from connectors.applications import models as applications
from connectors.catalogue import models as catalogue
from connectors.conversations import models as conversations
from connectors.db import Base
from connectors.feedback import models as feedback
from connectors.notifications import models as notifications
from connectors.procedures import models as procedures
from connectors.staff import models as staff

__all__ = [
    "Base", "applications", "catalogue", "conversations", "feedback", "notifications",
    "procedures", "staff",
]
