"""The console's sections, in the navigation order, with the lowest role that may open each.

A section shows in the navigation only when its page exists in the app (the helpers' routers
are added one at a time) and the signed-in role reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from starlette.routing import Match

from connectors.staff.models import RoleName, StaffAccount, role_rank


@dataclass(frozen=True)
class Section:
    title: str
    path: str
    role: RoleName
    description: str


SECTIONS: tuple[Section, ...] = (
    Section("Ý định và câu mẫu", "/admin/intents", "editor",
            "Các ý định của người dân và câu mẫu để trợ lý học."),
    Section("Câu trả lời", "/admin/responses", "editor",
            "Nội dung trợ lý trả lời, kèm các nút bấm."),
    Section("Danh mục thủ tục", "/admin/catalogue", "editor",
            "Thủ tục, giấy tờ, lệ phí, thời hạn và cách người dân gọi tên thủ tục."),
    Section("Huấn luyện và phát hành", "/admin/training", "editor",
            "Kiểm tra dữ liệu, huấn luyện, so sánh điểm và phát hành mô hình."),
    Section("Xem lại hội thoại", "/admin/review", "supervisor",
            "Tin nhắn trợ lý chưa hiểu, đánh giá thấp, cần cán bộ hỗ trợ."),
    Section("Chỉ số", "/admin/kpi", "supervisor",
            "Số hội thoại, tỉ lệ tự giải quyết, thời gian trả lời."),
    Section("Tài khoản cán bộ", "/admin/accounts", "admin",
            "Tạo tài khoản, đổi vai trò, khoá tài khoản."),
    Section("Nhật ký thay đổi", "/admin/audit", "admin",
            "Ai đã thay đổi gì, lúc nào, trước và sau."),
)

ROLE_TITLES: dict[str, str] = {
    "agent": "Cán bộ hỗ trợ",
    "supervisor": "Người xem lại (reviewer)",
    "editor": "Biên tập viên",
    "admin": "Quản trị viên",
}


def has_page(app: FastAPI, path: str) -> bool:
    """A GET route answers ``path`` (FastAPI includes routers lazily: matched, not listed)."""
    scope = {
        "type": "http", "path": path, "method": "GET", "root_path": "", "headers": [],
        "query_string": b"", "path_params": {},
    }
    return any(route.matches(scope)[0] == Match.FULL for route in app.router.routes)


def visible_sections(account: StaffAccount, app: FastAPI) -> list[Section]:
    return [
        s for s in SECTIONS
        if role_rank(account.role) >= role_rank(s.role) and has_page(app, s.path)
    ]
