"""Erasing a citizen's data on request (admin only): everything the connectors hold about one chat
conversation. The Rasa tracker is erased by `python -m scripts.privacy forget`, which calls this."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from connectors.deps import CacheDep, SessionDep
from connectors.privacy.service import forget
from connectors.staff.deps import require_staff

router = APIRouter(prefix="/api/v1/privacy", tags=["privacy"])

ConversationId = Annotated[str, Path(min_length=1, max_length=255)]


class ErasedPublic(BaseModel):
    handoffs: int
    ratings: int
    feedback: int
    counters: int
    subscriptions: int = 0
    review_marks: int = 0


@router.delete(
    "/conversations/{conversation_id}",
    response_model=ErasedPublic,
    dependencies=[Depends(require_staff("admin"))],
    responses={401: {"description": "not logged in"}, 403: {"description": "not an admin"}},
)
def erase_conversation(
    conversation_id: ConversationId, session: SessionDep, cache: CacheDep
) -> ErasedPublic:
    """Deletes the conversation's handoffs and ratings, erases the contact details of its
    complaints (the complaints stay, anonymous) and its rate-limit counters. Idempotent."""
    erased = forget(session, cache, conversation_id)
    return ErasedPublic(
        handoffs=erased.handoffs, ratings=erased.ratings, feedback=erased.feedback,
        counters=erased.counters, subscriptions=erased.subscriptions,
        review_marks=erased.review_marks,
    )
