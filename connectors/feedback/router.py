from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request

from connectors.deps import NowDep, SessionDep
from connectors.feedback.schemas import (
    FeedbackCreate,
    FeedbackCreated,
    FeedbackPublic,
    normalize_tracking_code,
)
from connectors.feedback.service import create_feedback, get_feedback
from connectors.staff.deps import require_service

# Both endpoints are the bot's: citizens send and follow feedback in the chat. A staff console
# listing everyone's feedback would be a separate, staff-only endpoint.
router = APIRouter(prefix="/api/v1/feedback", tags=["feedback"])


def forwarding(request: Request) -> bool:
    """Whether complaints go to the province's feedback system (FEEDBACK_UPSTREAM_FILE)."""
    return getattr(request.app.state, "feedback_forwarder", None) is not None


ForwardingDep = Annotated[bool, Depends(forwarding)]


@router.post(
    "", status_code=201, response_model=FeedbackCreated, dependencies=[Depends(require_service)]
)
def submit_feedback(
    body: FeedbackCreate, session: SessionDep, now: NowDep, forward: ForwardingDep
) -> FeedbackCreated:
    """Records a citizen's feedback (phản ánh, kiến nghị); the tracking code is the receipt.
    With a provincial feedback system configured it is forwarded there in the background: the
    citizen never waits for it, and gets the code even while it is down."""
    return create_feedback(session, body, now=now, forward=forward)


@router.get(
    "/{tracking_code}",
    response_model=FeedbackPublic,
    responses={404: {"description": "no feedback with this code"},
               422: {"description": "not a tracking code (PA-yymmdd-XXXXXX)"}},
    dependencies=[Depends(require_service)],
)
def read_feedback(
    session: SessionDep, tracking_code: Annotated[str, Path(max_length=40)]
) -> FeedbackPublic:
    """Progress and answer of one piece of feedback. The contact details are never returned."""
    code = normalize_tracking_code(tracking_code)
    if code is None:
        raise HTTPException(
            status_code=422,
            detail="Mã phản ánh không đúng định dạng (ví dụ đúng: PA-261122-7K3Q9X).",
        )
    feedback = get_feedback(session, code)
    if feedback is None:
        raise HTTPException(status_code=404, detail=f"Không tìm thấy phản ánh mã {code}.")
    return feedback
