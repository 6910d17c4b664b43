"""/admin/kpi: the dashboard shows the figures of the stored conversations, and exports them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta, timezone
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from connectors.conversations.models import Rating
from tests.connectors.admin.conftest import ConsoleFactory
from tests.connectors.admin.kpi_scenario import at, dialogues
from tests.connectors.admin.tracker_events import store_trackers
from tests.connectors.conftest import Clock

pytestmark = pytest.mark.redis


@pytest.fixture
def days(clock: Clock) -> tuple[date, date, date]:
    """The day before yesterday, yesterday and today. The database is shared by the session's
    tests: the clock is moved to a year when no other test rates a conversation."""
    today = clock.now.date() - timedelta(days=400)
    clock.now = at(today, 12)
    return today - timedelta(days=2), today - timedelta(days=1), today


@pytest.fixture
def stored(client: TestClient, days: tuple[date, date, date]) -> Iterator[None]:
    app = cast(FastAPI, client.app)
    d0, d1, _ = days
    keys = store_trackers(app, dict(dialogues(*days)))
    with app.state.session_factory() as session:
        ratings = []
        for sender, day, hour, score in (("a", d1, 9, 5), ("b", d1, 11, 1), ("e", d0, 23, 2)):
            when = at(day, hour).astimezone(timezone.utc)  # as save_rating stores it
            ratings.append(Rating(conversation_id=sender, score=score, created_at=when,
                                  updated_at=when))
        session.add_all(ratings)
        session.commit()
        yield
        for rating in ratings:
            session.delete(rating)
        session.commit()
    app.state.cache.client.delete(*keys)


def row(html: str, kpi: str) -> list[str]:
    """The cells of one figure's row: all channels, then web, zalo, rest."""
    found = re.search(rf'<tr data-kpi="{kpi}">(.*?)</tr>', html, re.S)
    assert found, kpi
    return [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", found[1], re.S)]


def test_the_dashboard_shows_the_ranges_figures(
    console: ConsoleFactory, stored: None, days: tuple[date, date, date]
) -> None:
    _, d1, d2 = days
    page = console("supervisor").get(f"/admin/kpi?since={d1}&until={d2}")

    assert page.status_code == 200
    html = page.text
    assert row(html, "conversations") == ["5", "3", "1", "1"]
    assert row(html, "messages") == ["10", "5", "2", "3"]
    assert row(html, "citizens") == ["4", "2", "1", "1"]
    assert row(html, "resolved_share") == ["80.0 %", "100.0 %", "0.0 %", "100.0 %"]
    assert row(html, "fallback_rate") == ["10.0 %", "0.0 %", "50.0 %", "0.0 %"]
    assert row(html, "handoff_rate") == ["20.0 %", "0.0 %", "100.0 %", "0.0 %"]
    assert row(html, "status_lookups") == ["1", "0", "0", "1"]
    assert row(html, "complaints") == ["1", "1", "0", "0"]
    assert row(html, "ratings") == ["2", "1", "1", "0"]
    assert row(html, "median_response_ms") == ["350 ms", "300 ms", "750 ms", "200 ms"]
    assert row(html, "p95_response_ms") == ["1000 ms", "800 ms", "1000 ms", "400 ms"]
    assert "<td>1.001193</td><td>Đăng ký khai sinh</td><td>2</td>" in html
    assert html.count('<svg class="chart"') == 2


def test_the_default_range_is_the_last_seven_days(
    console: ConsoleFactory, stored: None, days: tuple[date, date, date]
) -> None:
    html = console("supervisor").get("/admin/kpi").text
    # the day before the range now counts: one more conversation, message and rating
    assert row(html, "conversations")[0] == "6" and row(html, "messages")[0] == "11"
    assert row(html, "ratings")[0] == "3"
    assert f'name="since" value="{days[2] - timedelta(days=6)}"' in html


def test_a_wrong_range_says_so_and_shows_the_last_week(
    console: ConsoleFactory, stored: None, days: tuple[date, date, date]
) -> None:
    html = console("supervisor").get(f"/admin/kpi?since={days[2]}&until={days[0]}").text
    assert "Khoảng ngày không hợp lệ" in html and row(html, "conversations")[0] == "6"


def test_csv_export(console: ConsoleFactory, stored: None, days: tuple[date, date, date]) -> None:
    _, d1, d2 = days
    answer = console("supervisor").get(f"/admin/kpi/export.csv?since={d1}&until={d2}")

    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert f"chi-so-{d1}-{d2}.csv" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    header = rows[0]
    by_key = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    total = by_key[("tổng", "tất cả")]
    assert (total["số hội thoại"], total["số tin nhắn"], total["chuyển cán bộ"]) == ("5", "10", "1")
    assert total["tỉ lệ không hiểu"] == "0.1000" and total["thời gian trả lời p95 (ms)"] == "1000"
    assert by_key[(d1.isoformat(), "zalo")]["tin không hiểu"] == "1"
    assert by_key[(d2.isoformat(), "tất cả")]["số hội thoại"] == "3"
    assert len(rows) == 1 + 2 * 3 + 2 + 3 + 1  # day x channel, day, channel, total


def test_only_reviewers_and_up_see_the_figures(console: ConsoleFactory, client: TestClient
                                               ) -> None:
    assert console("agent").get("/admin/kpi").status_code == 403
    assert console("agent").get("/admin/kpi/export.csv").status_code == 403
    anonymous = client.get("/admin/kpi", follow_redirects=False)
    assert anonymous.status_code == 303 and "/admin/login" in anonymous.headers["location"]
    assert console("editor").get("/admin/kpi").status_code == 200
