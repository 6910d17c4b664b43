"""/admin/kpi: the dashboard (figures, charts, a date range) and its CSV export (reviewers
and up)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from connectors.admin.auth import ReviewerPage
from connectors.admin.kpi.charts import Series, stacked_bars
from connectors.admin.kpi.figures import DateRange, Figures, Report, report
from connectors.admin.review.deps import TrackerStoreDep
from connectors.admin.review.service import ratings_in
from connectors.admin.review.store import TrackerStoreUnavailable
from connectors.admin.templating import render
from connectors.deps import NowDep, SessionDep

router = APIRouter(prefix="/kpi")

DEFAULT_DAYS = 7
MAX_DAYS = 366
CHANNEL_TITLES = {"web": "Web", "zalo": "Zalo", "rest": "REST (API)", "khác": "Khác"}
DateText = Annotated[str, Query(max_length=10)]


def choose_range(since: str, until: str, now: datetime) -> tuple[DateRange, str | None]:
    """The range asked for, or the last week with the reason it was not taken."""
    default = DateRange.last_days(now, DEFAULT_DAYS)
    if not since and not until:
        return default, None
    try:
        chosen = DateRange(
            date.fromisoformat(since) if since else default.since,
            date.fromisoformat(until) if until else default.until,
        )
    except ValueError:
        return default, "Khoảng ngày không hợp lệ (ngày bắt đầu phải trước ngày kết thúc): " \
            "đang hiển thị 7 ngày gần nhất."
    if len(chosen.days) > MAX_DAYS:
        return default, f"Khoảng ngày dài quá {MAX_DAYS} ngày: đang hiển thị 7 ngày gần nhất."
    return chosen, None


def _report(
    store: TrackerStoreDep, session: SessionDep, days: DateRange
) -> tuple[Report | None, str | None]:
    try:
        sessions = store.sessions()
    except TrackerStoreUnavailable:
        return None, "Không đọc được kho hội thoại (Redis): chưa thể tính các chỉ số."
    return report(sessions, ratings_in(session, days), days), None


@router.get("")
def dashboard(
    request: Request, _staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep,
    now: NowDep, since: DateText = "", until: DateText = "",
) -> HTMLResponse:
    days, warning = choose_range(since, until, now)
    result, error = _report(store, session, days)
    charts = []
    if result is not None:
        labels = [d.strftime("%d/%m") for d in days.days]
        channels = list(result.by_channel)
        by_cell = {(d, c): f for d, c, f in result.by_day_and_channel}
        charts = [
            stacked_bars("Số hội thoại mỗi ngày, theo kênh", labels, [
                Series(CHANNEL_TITLES.get(c, c), [by_cell[(d, c)].conversations for d in days.days])
                for c in channels
            ]),
            stacked_bars("Số tin nhắn của người dân mỗi ngày, theo kênh", labels, [
                Series(CHANNEL_TITLES.get(c, c), [by_cell[(d, c)].messages for d in days.days])
                for c in channels
            ]),
        ]
    return render(request, "kpi/dashboard.html", {
        "days": days, "report": result, "charts": charts, "warning": warning, "error": error,
        "channel_titles": CHANNEL_TITLES,
    })


CSV_COLUMNS = (
    ("ngay", "ngày"), ("kenh", "kênh"), ("conversations", "số hội thoại"),
    ("messages", "số tin nhắn"), ("citizens", "số người dân"),
    ("resolved_without_staff", "tự giải quyết"), ("resolved_share", "tỉ lệ tự giải quyết"),
    ("fallbacks", "tin không hiểu"), ("fallback_rate", "tỉ lệ không hiểu"),
    ("handoffs", "chuyển cán bộ"), ("handoff_rate", "tỉ lệ chuyển cán bộ"),
    ("status_lookups", "tra cứu hồ sơ"), ("status_found", "tra cứu có kết quả"),
    ("complaints", "phản ánh đã gửi"), ("ratings", "lượt đánh giá"),
    ("rating_average", "điểm đánh giá trung bình"),
    ("median_response_ms", "thời gian trả lời trung vị (ms)"),
    ("p95_response_ms", "thời gian trả lời p95 (ms)"),
)


def _cell(figures: Figures, name: str) -> str:
    value = getattr(figures, name)
    if value is None:
        return ""
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def csv_text(result: Report) -> str:
    """One row per day and channel, then per day for all channels, then the range's totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for _, title in CSV_COLUMNS])
    rows: list[tuple[str, str, Figures]] = [
        (d.isoformat(), c, f) for d, c, f in result.by_day_and_channel
    ]
    rows += [(d.isoformat(), "tất cả", f) for d, f in result.by_day]
    rows += [("tổng", c, f) for c, f in result.by_channel.items()]
    rows.append(("tổng", "tất cả", result.total))
    for day, channel, figures in rows:
        writer.writerow([day, channel, *(_cell(figures, name) for name, _ in CSV_COLUMNS[2:])])
    return out.getvalue()


@router.get("/export.csv")
def export_csv(
    _staff: ReviewerPage, store: TrackerStoreDep, session: SessionDep, now: NowDep,
    since: DateText = "", until: DateText = "",
) -> Response:
    days, _ = choose_range(since, until, now)
    result, error = _report(store, session, days)
    if result is None:
        return Response(error or "", status_code=503, media_type="text/plain; charset=utf-8")
    name = f"chi-so-{days.since.isoformat()}-{days.until.isoformat()}.csv"
    # the byte-order mark lets spreadsheet programs read the Vietnamese headers as UTF-8
    return Response(
        "\ufeff" + csv_text(result), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
