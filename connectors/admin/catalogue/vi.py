"""sqladmin's interface in Vietnamese.

sqladmin ships no Vietnamese catalogue (and babel is not installed), so its templates' gettext
calls are answered from this table. The submit buttons keep their English *values* (sqladmin
compares them to choose where to go after saving); only what staff read is translated.
"""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    "List": "Danh sách",
    "Details": "Chi tiết",
    "Create": "Thêm mới",
    "Edit": "Sửa",
    "Delete": "Xoá",
    "Export": "Xuất",
    "Import": "Nhập",
    "Page": "Trang",
    "New %(name)s": "Thêm %(name)s",
    "Cancel": "Huỷ",
    "Save": "Lưu",
    "Save and continue editing": "Lưu và sửa tiếp",
    "Save and add another": "Lưu và thêm nữa",
    "Save as new": "Lưu thành bản mới",
    "Column": "Trường",
    "Value": "Giá trị",
    "Go Back": "Quay lại",
    "Edit %(name)s": "Sửa %(name)s",
    "Logout": "Đăng xuất",
    "Language": "Ngôn ngữ",
    "You are not authorized to view these records.": "Anh/chị không có quyền xem mục này.",
    "Actions": "Thao tác",
    "Delete selected items": "Xoá các mục đã chọn",
    "Search": "Tìm",
    "Select all": "Chọn tất cả",
    "Select item": "Chọn",
    "View": "Xem",
    "Showing %(start)s to %(end)s of %(count)s items": "Mục %(start)s đến %(end)s trong %(count)s",
    "prev": "trước",
    "next": "sau",
    "Show": "Hiển thị",
    "%(size)s / Page": "%(size)s / trang",
    "Filters": "Bộ lọc",
    "Close": "Đóng",
    "Done": "Xong",
    "Clear filter": "Bỏ lọc",
    "Apply Filter": "Lọc",
    "Please confirm": "Xin xác nhận",
    "Yes": "Đồng ý",
}


def gettext(message: str, **variables: object) -> str:
    text = MESSAGES.get(message, message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    return gettext(singular if n == 1 else plural, **variables)
