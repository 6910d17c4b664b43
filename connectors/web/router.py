"""The web chat's address on the connectors and the configuration its header shows.

The chat page itself is served by the Rasa server (web/, bot/channels/webpage.py), on the same
origin as its socket: the connectors' old address sends citizens there, and the page's header
(locality name, hotline) is read from here through that server.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse
from pydantic import BaseModel

from connectors.deps import SettingsDep
from connectors.locality.service import load_locality

router = APIRouter(tags=["web"])


class ChatConfig(BaseModel):
    rasa_url: str
    title: str
    hotline: str


def chat_page_url(rasa_public_url: str) -> str:
    return f"{rasa_public_url.rstrip('/')}/chat/"


@router.get("/", include_in_schema=False)
def chat_page(settings: SettingsDep) -> RedirectResponse:
    # links and bookmarks of the old page (it was here until the socket.io chat) keep working
    return RedirectResponse(chat_page_url(settings.rasa_public_url), status_code=307)


@router.get("/api/v1/webchat/config", response_model=ChatConfig)
def chat_config(settings: SettingsDep) -> ChatConfig:
    locality = load_locality(settings.locality_file)
    return ChatConfig(
        rasa_url=settings.rasa_public_url, title=locality.name, hotline=locality.hotline
    )
