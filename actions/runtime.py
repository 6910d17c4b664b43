"""Process-wide resources of the action server, created lazily on first use (not at import)."""

from __future__ import annotations

import logging

from actions.clients.portal import Locality, PortalClient, PortalError
from actions.settings import get_settings

logger = logging.getLogger(__name__)

_portal: PortalClient | None = None
_locality: Locality | None = None


def portal() -> PortalClient:
    global _portal
    if _portal is None:
        settings = get_settings()
        _portal = PortalClient(settings.connectors_url, settings.connectors_timeout_seconds,
                               service_token=settings.connectors_service_token)
    return _portal


async def locality(client: PortalClient) -> Locality | None:
    """The deployment's locality, remembered once read so apologies can still give the hotline."""
    global _locality
    if _locality is None:
        try:
            _locality = await client.locality()
        except PortalError as exc:
            logger.warning("locality not available: %s", exc)
    return _locality


def known() -> Locality | None:
    """The locality if it was read before (never waits on the portal)."""
    return _locality


def hotline(known: Locality | None) -> str | None:
    return known.hotline if known else get_settings().support_hotline


def with_hotline(response: str, hotline: str | None) -> str:
    """The response naming the hotline, or its ``_no_hotline`` variant. Chosen here, not by a slot
    condition in the domain: Rasa picks a variant before the action's SlotSet(support_hotline)
    applies, so the first answer of a conversation would never name the hotline."""
    return response if hotline else response + "_no_hotline"
