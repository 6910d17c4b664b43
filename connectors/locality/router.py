from __future__ import annotations

from fastapi import APIRouter

from connectors.deps import SettingsDep
from connectors.locality.service import Locality, load_locality

router = APIRouter(prefix="/api/v1/locality", tags=["locality"])


@router.get("", response_model=Locality)
def get_locality(settings: SettingsDep) -> Locality:
    return load_locality(settings.locality_file)
