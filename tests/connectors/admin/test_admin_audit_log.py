"""The audit log: entries with their before/after as JSON, listed newest first, filterable."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from connectors.admin.audit import record
from tests.connectors.admin.conftest import ConsoleFactory


def test_the_audit_page_lists_the_newest_first_with_before_and_after(
    console: ConsoleFactory,
) -> None:
    admin = console("admin")
    actor = f"nguoi-{uuid.uuid4().hex[:6]}"
    start = datetime(2030, 1, 1, 8, 0, tzinfo=timezone.utc)  # later than any other test's
    with admin.client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        record(session, actor, "intent.example.add", "greet", after={"example": "chào"},
               now=start)
        record(session, actor, "response.edit", "utter_goodbye", before=[{"text": "cũ"}],
               after=[{"text": "mới"}], now=start + timedelta(minutes=5))
        record(session, actor, "intent.example.delete", "thank", before={"example": "cảm ơn"},
               now=start + timedelta(minutes=2))

    page = admin.get("/admin/audit", params={"actor": actor}).text

    rows = re.findall(r"<td><code>([\w.]+)</code></td>\s*<td>(\w+)</td>", page)
    assert rows == [("response.edit", "utter_goodbye"), ("intent.example.delete", "thank"),
                    ("intent.example.add", "greet")]
    assert "2030-01-01 08:05:00" in page
    assert "<pre>[{&#34;text&#34;: &#34;cũ&#34;}]</pre>" in page

    only_intents = admin.get("/admin/audit", params={"actor": actor, "action": "intent."}).text
    assert re.findall(r"<td><code>([\w.]+)</code></td>", only_intents) == [
        "intent.example.delete", "intent.example.add"
    ]
