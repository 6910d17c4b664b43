"""Status notifications in the dialogue: offered after a Zalo look-up only, switched on only for
the dossier this conversation found, off by "huỷ thông báo", and a reported change worded from
the domain. The actions talk to the real connectors app (tests/actions/conftest.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.clients.portal import PortalClient
from actions.notifications import (
    STATUSES,
    ActionFollowStatus,
    ActionTellStatusChange,
    ActionUnfollowStatus,
)
from actions.status import ActionCheckStatus

pytestmark = pytest.mark.anyio

CODE = "000.00.30.H56-261115-0012"  # demo dossier: needs_supplement, 079203001234 / 0912345678


def _tracker(
    sender: str, channel: str, slots: dict[str, Any] | None = None, intent: str = "inform",
    entities: dict[str, str] | None = None,
) -> Tracker:
    return Tracker(
        sender_id=sender,
        slots=slots or {},
        latest_message={
            "text": "", "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": k, "value": v} for k, v in (entities or {}).items()],
        },
        events=[{"event": "user", "text": "", "input_channel": channel}],
        paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen",
    )


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

    await ActionTellStatusChange(portal).run(dispatcher, t, domain)

    assert _responses(dispatcher) == [f"utter_status_changed_{status}"]
    assert f"utter_status_changed_{status}" in domain["responses"]
    assert dispatcher.messages[0]["code"] == CODE


async def test_a_change_without_a_known_status_says_nothing(
    portal: PortalClient, domain: dict[str, Any]
) -> None:
    dispatcher = CollectingDispatcher()
    t = _tracker("zalo-1", "zalo", intent="dossier_status_changed",
                 entities={"notified_code": CODE, "notified_status": "lost"})

    await ActionTellStatusChange(portal).run(dispatcher, t, domain)

    assert dispatcher.messages == []
