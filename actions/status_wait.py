"""How long a citizen waits before a refused dossier look-up may be tried again, in words."""

from __future__ import annotations

import math

# without a Retry-After the connectors gave no time: the domain's sentence still reads well
UNKNOWN_WAIT = "ít phút"


def retry_wait(seconds: int | None) -> str:
    """``Retry-After`` seconds as the citizen reads them: rounded up to whole minutes
    (``"45 phút"``, ``"1 giờ"``, ``"1 giờ 5 phút"``), never less than a minute."""
    if seconds is None or seconds < 0:
        return UNKNOWN_WAIT
    minutes = max(1, math.ceil(seconds / 60))
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{minutes} phút"
    return f"{hours} giờ" + (f" {rest} phút" if rest else "")
