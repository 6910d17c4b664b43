"""The citizen chat page (same origin as the connectors; it talks to Rasa's REST channel)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse
from pydantic import BaseModel

from connectors.deps import SettingsDep
from connectors.locality.service import load_locality

STATIC = Path(__file__).parent / "static"
router = APIRouter(tags=["web"])


class ChatConfig(BaseModel):
    rasa_url: str
    title: str
    hotline: str


# The page's script and styles are files of their own, because its CSP forbids inline ones.
# Explicit routes, not a directory mount: nothing else in static/ is ever served by accident.
ASSETS = {
    "chat.js": "text/javascript; charset=utf-8",
    "chat.css": "text/css; charset=utf-8",
}


@router.get("/", include_in_schema=False)
def chat_page() -> FileResponse:
    return FileResponse(STATIC / "chat.html", media_type="text/html; charset=utf-8")


@router.get("/static/{name}", include_in_schema=False)
def chat_asset(name: str) -> FileResponse:
    media_type = ASSETS.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail="Không tìm thấy tệp.")
    return FileResponse(STATIC / name, media_type=media_type)


@router.get("/api/v1/webchat/config", response_model=ChatConfig)
def chat_config(settings: SettingsDep) -> ChatConfig:
    locality = load_locality(settings.locality_file)
    return ChatConfig(
        rasa_url=settings.rasa_public_url, title=locality.name, hotline=locality.hotline
    )
