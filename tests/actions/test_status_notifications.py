"""Status notifications in the dialogue: offered after a Zalo look-up only, switched on only for
the dossier this conversation found, off by "huỷ thông báo", and a reported change worded from
the domain. The actions talk to the real connectors app (tests/actions/conftest.py)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import PortalClient
from actions.notifications import (
    LAST_MESSAGE_SLOT,
    OUTCOME_SLOT,
    STATUSES,
    ActionFollowStatus,
    ActionTellStatusChange,
    ActionUnfollowStatus,
)
from actions.status import ActionCheckStatus

pytestmark = pytest.mark.anyio

CODE = "000.00.30.H56-261115-0012"  # demo dossier: needs_supplement, 079203001234 / 0912345678


NOW = time.time()  # the action's clock in these tests (any date)
DAY = 86_400.0


def _tracker(
    sender: str, channel: str, slots: dict[str, Any] | None = None, intent: str = "inform",
    entities: dict[str, str] | None = None, events: list[dict[str, Any]] | None = None,
) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message={
            "text": "", "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        },
        events=events if events is not None else [
            {"event": "user", "text": "", "input_channel": channel, "timestamp": NOW - 60}
        ],
        paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen",
    )


def _citizen_wrote(days_ago: float) -> dict[str, Any]:
    return {"event": "user", "text": "cảm ơn", "input_channel": "zalo",
            "timestamp": NOW - days_ago * DAY, "parse_data": {"intent": {"name": "thank"}}}


def _trigger(days_ago: float = 0) -> list[dict[str, Any]]:
    """What Rasa's /trigger_intent adds: a new session if the last one expired, then an
    external user event (not the citizen's)."""
    at = NOW - days_ago * DAY
    return [
        {"event": "session_started", "timestamp": at},
        {"event": "action", "name": "action_listen", "timestamp": at},
        {"event": "user", "text": "EXTERNAL: dossier_status_changed", "input_channel": "zalo",
         "metadata": {"is_external": True}, "timestamp": at},
    ]


def _carried(days_ago: float) -> dict[str, Any]:
    """The citizen's last message time, set by an earlier run of the action."""
    return {"event": "slot", "name": "citizen_last_message_at", "value": NOW - days_ago * DAY,
            "timestamp": NOW - 2 * DAY}


def _responses(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


def _slots(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def _look_up(portal: PortalClient, domain: dict[str, Any], sender: str, channel: str
                   ) -> tuple[CollectingDispatcher, dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    t = _tracker(sender, channel,
                 {"application_code": CODE, "applicant_identifier": "phone:0912345678"})
    events = await ActionCheckStatus(portal).run(dispatcher, t, domain)
    return dispatcher, _slots(events)


@pytest.mark.parametrize(("channel", "offered"), [("zalo", True), ("rest", False),
                                                   ("socketio", False)])
async def test_notifications_are_offered_after_a_look_up_in_zalo_only(
    portal: PortalClient, domain: dict[str, Any], channel: str, offered: bool
) -> None:
    dispatcher, slots = await _look_up(portal, domain, f"zalo-{uuid.uuid4().hex}", channel)

    assert ("utter_offer_status_notifications" in _responses(dispatcher)) is offered
    assert slots["notify_code"] == CODE


async def test_opting_in_follows_the_dossier_just_found_and_huy_thong_bao_stops_it(
    portal: PortalClient, domain: dict[str, Any]
) -> None:
    sender = f"zalo-{uuid.uuid4().hex}"
    _, slots = await _look_up(portal, domain, sender, "zalo")

    on = CollectingDispatcher()
    await ActionFollowStatus(portal).run(
        on, _tracker(sender, "zalo", slots, "follow_status"), domain
    )
    off, none = CollectingDispatcher(), CollectingDispatcher()
    await ActionUnfollowStatus(portal).run(off, _tracker(sender, "zalo"), domain)
    await ActionUnfollowStatus(portal).run(none, _tracker(sender, "zalo"), domain)

    assert _responses(on) == ["utter_status_notifications_on"]
    assert on.messages[0]["code"] == CODE
    assert _responses(off) == ["utter_status_notifications_off"]
    assert _responses(none) == ["utter_status_notifications_none"]


@pytest.mark.parametrize("channel", ["zalo", "rest"])
async def test_no_opt_in_without_a_look_up_here_or_outside_zalo(
    portal: PortalClient, domain: dict[str, Any], channel: str
) -> None:
    # a code in the slot but no successful look-up by this conversation: the connectors refuse
    dispatcher = CollectingDispatcher()
    t = _tracker(f"zalo-{uuid.uuid4().hex}", channel, {"notify_code": CODE}, "follow_status")

    await ActionFollowStatus(portal).run(dispatcher, t, domain)

    assert _responses(dispatcher) == ["utter_status_notifications_unavailable"]


@pytest.mark.parametrize("status", STATUSES)
async def test_a_reported_change_is_worded_from_the_domain(
    portal: PortalClient, domain: dict[str, Any], status: str
) -> None:
    dispatcher = CollectingDispatcher()
    t = _tracker("zalo-1", "zalo", intent="dossier_status_changed",
                 entities={"notified_code": CODE, "notified_status": status})

    events = await ActionTellStatusChange(portal, clock=lambda: NOW).run(dispatcher, t, domain)

    assert _slots(events)[OUTCOME_SLOT] == "sent"
    assert _responses(dispatcher) == [f"utter_status_changed_{status}"]
    assert f"utter_status_changed_{status}" in domain["responses"]
    assert dispatcher.messages[0]["code"] == CODE


async def test_a_change_without_a_known_status_says_nothing(
    portal: PortalClient, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = _tracker("zalo-1", "zalo", intent="dossier_status_changed",
                 entities={"notified_code": CODE, "notified_status": "lost"})

    events = await ActionTellStatusChange(portal, clock=lambda: NOW).run(dispatcher, t, domain)

    assert dispatcher.messages == []
    assert _slots(events)[OUTCOME_SLOT] == "unreadable"


# Zalo lets the OA write only within 7 days of the citizen's LAST message (not the opt-in): the
# action sees the conversation, the connectors do not
@pytest.mark.parametrize(
    ("events", "outcome", "carried_days_ago"),
    [
        ([_citizen_wrote(0.01), *_trigger()], "sent", 0.01),
        ([_citizen_wrote(6.9), *_trigger()], "sent", 6.9),
        ([_citizen_wrote(7), *_trigger()], "window_closed", 7),
        ([_citizen_wrote(30), *_trigger()], "window_closed", 30),
        # opted in 20 days ago, chatted 3 days ago: still told
        ([_citizen_wrote(20), _citizen_wrote(3), *_trigger()], "sent", 3),
        # the latest session began with an earlier trigger: no message of the citizen's in it,
        # only the time the action carried over
        ([*_trigger(2), _carried(5), *_trigger()], "sent", 5),
        ([*_trigger(2), _carried(8), *_trigger()], "window_closed", 8),
        ([_citizen_wrote(1), _carried(5), *_trigger()], "sent", 1),
        # triggers are not the citizen writing; nothing known: not sent
        ([*_trigger(1), *_trigger()], "window_closed", None),
    ],
    ids=["now", "6.9 days", "7 days", "30 days", "chatted after the opt-in", "carried 5 days",
         "carried 8 days", "message newer than carried", "only triggers"],
)
async def test_a_change_is_told_only_within_7_days_of_the_citizens_last_message(
    portal: PortalClient, domain: dict[str, Any], events: list[dict[str, Any]], outcome: str,
    carried_days_ago: float | None,
) -> None:
    dispatcher = CollectingDispatcher()
    t = _tracker("zalo-1", "zalo", intent="dossier_status_changed",
                 entities={"notified_code": CODE, "notified_status": "done"}, events=events)

    result = _slots(
        await ActionTellStatusChange(portal, clock=lambda: NOW).run(dispatcher, t, domain)
    )

    assert result[OUTCOME_SLOT] == outcome
    assert _responses(dispatcher) == (["utter_status_changed_done"] if outcome == "sent" else [])
    # carried into the next session, which may hold no message of the citizen's
    assert result.get(LAST_MESSAGE_SLOT) == (
        None if carried_days_ago is None else pytest.approx(NOW - carried_days_ago * DAY)
    )
    assert {OUTCOME_SLOT, LAST_MESSAGE_SLOT} <= set(domain["slots"])
