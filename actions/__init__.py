"""Custom actions served by the rasa-sdk action server (``python -m actions.server``: loopback,
and only for Rasa, which sends ACTION_SERVER_TOKEN).

One module per citizen service; the portal is reached only through ``actions.clients.portal``.
"""

from actions.conversation import (
    ActionCancelForm,
    ActionClarify,
    ActionOutOfScope,
    ActionSaveRating,
    ActionThank,
)
from actions.feedback import ActionCheckFeedback, ActionSubmitFeedback, ValidateFeedbackForm
from actions.handoff import ActionHandoff
from actions.notifications import ActionFollowStatus, ActionTellStatusChange, ActionUnfollowStatus
from actions.procedures import ActionAnswerProcedure
from actions.status import ActionCheckStatus, ValidateStatusForm

__all__ = [
    "ActionAnswerProcedure",
    "ActionCancelForm",
    "ActionCheckFeedback",
    "ActionCheckStatus",
    "ActionClarify",
    "ActionFollowStatus",
    "ActionHandoff",
    "ActionOutOfScope",
    "ActionSaveRating",
    "ActionSubmitFeedback",
    "ActionTellStatusChange",
    "ActionThank",
    "ActionUnfollowStatus",
    "ValidateFeedbackForm",
    "ValidateStatusForm",
]
