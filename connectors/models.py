"""Every feature's models, imported in one place so Alembic and tests see the whole schema."""

from connectors.admin import models as admin
from connectors.admin.review import models as review
from connectors.admin.training import models as training
from connectors.applications import models as applications
from connectors.catalogue import models as catalogue
from connectors.conversations import models as conversations
from connectors.db import Base
from connectors.feedback import models as feedback
from connectors.notifications import models as notifications
from connectors.procedures import models as procedures
from connectors.staff import models as staff

__all__ = [
    "Base", "admin", "applications", "catalogue", "conversations", "feedback", "notifications",
    "procedures", "review", "staff", "training",
]
