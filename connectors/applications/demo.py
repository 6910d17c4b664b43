"""Demo dossiers so the status lookup works out of the box (``manage demo-data``).

About 50 dossiers over the curated procedures, generated from a fixed seed and a fixed "today"
(2026-11-22), so every run gives the same codes, people and dates. Every status occurs. The dossiers
in :data:`KNOWN_DOSSIERS` have documented codes and identifiers for demos, manual QA and the
acceptance suites. All people, numbers and offices are invented ("Tỉnh Mẫu" is the sample locality).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from connectors.applications.models import ApplicationStatusName
from connectors.applications.service import (
    VIETNAM_TZ,
    ApplicationRecord,
    EventRecord,
    upsert_application,
)
from connectors.procedures.models import Procedure

DEMO_SEED = 20261122
DEMO_TODAY = date(2026, 11, 22)
GENERATED_COUNT = 44

AGENCIES: dict[str, str] = {
    "000.00.00.H56": "Trung tâm Phục vụ hành chính công Tỉnh Mẫu",
    "000.00.30.H56": "Bộ phận một cửa Ủy ban nhân dân phường Trung Tâm, Tỉnh Mẫu",
    "000.00.31.H56": "Bộ phận một cửa Ủy ban nhân dân phường Bắc Sơn, Tỉnh Mẫu",
    "000.00.32.H56": "Bộ phận một cửa Ủy ban nhân dân xã Hòa Bình, Tỉnh Mẫu",
}
PREFERRED_PROCEDURE = "1.001193"  # đăng ký khai sinh


@dataclass(frozen=True)
class KnownDossier:
    code: str
    id_number: str
    phone: str
    status: ApplicationStatusName
    applicant_name: str


# Documented in connectors/applications/README.md; the tests rely on them. One per status.
KNOWN_DOSSIERS: tuple[KnownDossier, ...] = (
    KnownDossier("000.00.30.H56-261115-0012", "079203001234", "0912345678", "needs_supplement",
                 "Nguyễn Văn An"),
    KnownDossier("000.00.30.H56-261102-0003", "001185004321", "0987654321", "done",
                 "Trần Thị Bích"),
    KnownDossier("000.00.31.H56-261118-0007", "079095005678", "0338123456", "in_progress",
                 "Lê Hoàng Minh"),
    KnownDossier("000.00.31.H56-261020-0021", "084190002468", "0909111222", "overdue",
                 "Phạm Thị Hồng"),
    KnownDossier("000.00.32.H56-261120-0004", "092088001357", "0771234567", "received",
                 "Võ Văn Tài"),
    KnownDossier("000.00.32.H56-261009-0015", "031198007890", "0868246810", "returned",
                 "Đặng Thu Trang"),
)

SUPPLEMENT_NOTES = (
    "Tờ khai còn thiếu chữ ký của người yêu cầu; đề nghị ký bổ sung tại Bộ phận một cửa.",
    "Ảnh chụp giấy tờ tùy thân nộp trực tuyến không rõ nét; đề nghị tải lại ảnh chụp hai mặt.",
    "Bổ sung văn bản ủy quyền có chứng thực cho người đi nộp hồ sơ thay.",
    "Bản sao giấy tờ chưa được chứng thực; đề nghị nộp bản sao có chứng thực hoặc mang bản chính "
    "để đối chiếu.",
    "Thông tin nơi cư trú trên tờ khai không khớp với Cơ sở dữ liệu quốc gia về dân cư; đề nghị "
    "kiểm tra và khai lại.",
)
RETURN_REASONS = (
    "Trả lại hồ sơ: quá thời hạn bổ sung giấy tờ mà người yêu cầu chưa bổ sung.",
    "Trả lại hồ sơ: việc này không thuộc thẩm quyền của cơ quan tiếp nhận; đề nghị nộp tại Ủy ban "
    "nhân dân nơi cư trú.",
    "Trả lại hồ sơ theo đề nghị rút hồ sơ của người yêu cầu.",
)
OVERDUE_NOTES = (
    "Quá hạn: đang chờ kết quả xác minh từ cơ quan khác.",
    "Quá hạn: hệ thống liên thông gặp sự cố, cơ quan đang xử lý lại hồ sơ.",
)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = {"m": ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Thanh", "Công"),
          "f": ("Thị", "Ngọc", "Thu", "Thanh", "Minh", "Bảo", "Khánh")}
GIVEN = {"m": ("An", "Bình", "Cường", "Dũng", "Hải", "Hiếu", "Khoa", "Long", "Nam", "Phúc", "Quân",
               "Sơn", "Thắng", "Tuấn", "Vinh"),
         "f": ("Anh", "Chi", "Dung", "Giang", "Hà", "Hương", "Lan", "Linh", "Mai", "Ngân", "Nhung",
               "Phương", "Thảo", "Trang", "Yến")}
PROVINCE_ID_CODES = ("001", "031", "048", "079", "084", "092")
MOBILE_PREFIXES = ("032", "033", "035", "037", "039", "070", "076", "077", "079", "081", "083",
                   "085", "086", "088", "090", "091", "093", "094", "096", "097", "098")
_STATUS_WEIGHTS: dict[ApplicationStatusName, int] = {
    "received": 6, "in_progress": 14, "needs_supplement": 6, "done": 14, "returned": 3,
    "overdue": 4,
}


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time, stored as UTC (SQLite keeps no offset)."""
    return datetime.combine(day, time(hour, minute), tzinfo=VIETNAM_TZ).astimezone(timezone.utc)


def _day_of(code: str) -> date:
    day = code.split("-")[1]
    return date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))


def add_working_days(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _working_day_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


# --- the documented dossiers --------------------------------------------------------------------


def _known_records(procedure_code: str) -> list[ApplicationRecord]:
    k = {d.status: d for d in KNOWN_DOSSIERS}

    def record(
        d: KnownDossier, *, channel: str, received_at: datetime, due_at: datetime,
        events: tuple[EventRecord, ...], completed_at: datetime | None = None,
        supplement_note: str | None = None,
    ) -> ApplicationRecord:
        return ApplicationRecord(
            code=d.code, procedure_code=procedure_code, applicant_name=d.applicant_name,
            id_number=d.id_number, phone=d.phone, status=d.status,
            agency=AGENCIES[d.code.split("-")[0]], channel=channel, received_at=received_at,
            due_at=due_at, completed_at=completed_at, supplement_note=supplement_note,
            events=events,
        )

    ns = k["needs_supplement"]
    supplement = (
        "Bổ sung bản chính Giấy chứng sinh của cháu (bản chụp nộp trực tuyến bị mờ, không đọc được "
        "ngày sinh). Nộp bổ sung trên Cổng Dịch vụ công hoặc trực tiếp tại Bộ phận một cửa "
        "trước ngày 27/11/2026."
    )
    done, prog, over, recv, ret = (k[s] for s in ("done", "in_progress", "overdue", "received",
                                                   "returned"))
    return [
        record(
            ns, channel="online", received_at=_at(date(2026, 11, 15), 20, 14),
            due_at=_at(date(2026, 11, 27), 16), supplement_note=supplement,
            events=(
                EventRecord("received", _at(date(2026, 11, 15), 20, 14),
                            "Tiếp nhận hồ sơ nộp trực tuyến."),
                EventRecord("in_progress", _at(date(2026, 11, 16), 8, 30),
                            "Chuyển công chức tư pháp - hộ tịch xử lý."),
                EventRecord("needs_supplement", _at(date(2026, 11, 17), 10, 5), supplement),
            ),
        ),
        record(
            done, channel="in_person", received_at=_at(date(2026, 11, 2), 8, 12),
            due_at=_at(date(2026, 11, 3), 16), completed_at=_at(date(2026, 11, 3), 15, 30),
            events=(
                EventRecord("received", _at(date(2026, 11, 2), 8, 12),
                            "Tiếp nhận hồ sơ tại Bộ phận một cửa."),
                EventRecord("in_progress", _at(date(2026, 11, 2), 9), None),
                EventRecord("done", _at(date(2026, 11, 3), 15, 30),
                            "Đã có kết quả; mời nhận tại Bộ phận một cửa, mang theo phiếu hẹn "
                            "và giấy tờ tùy thân."),
            ),
        ),
        record(
            prog, channel="online", received_at=_at(date(2026, 11, 18), 9, 40),
            due_at=_at(date(2026, 11, 25), 16),
            events=(
                EventRecord("received", _at(date(2026, 11, 18), 9, 40),
                            "Tiếp nhận hồ sơ nộp trực tuyến."),
                EventRecord("in_progress", _at(date(2026, 11, 18), 14, 10),
                            "Chuyển công chức tư pháp - hộ tịch xử lý."),
            ),
        ),
        record(
            over, channel="in_person", received_at=_at(date(2026, 10, 20), 10, 15),
            due_at=_at(date(2026, 11, 3), 16),
            events=(
                EventRecord("received", _at(date(2026, 10, 20), 10, 15),
                            "Tiếp nhận hồ sơ tại Bộ phận một cửa."),
                EventRecord("in_progress", _at(date(2026, 10, 20), 15), None),
                EventRecord("overdue", _at(date(2026, 11, 4), 8), OVERDUE_NOTES[0]),
            ),
        ),
        record(
            recv, channel="online", received_at=_at(date(2026, 11, 20), 14, 20),
            due_at=_at(date(2026, 11, 24), 16),
            events=(
                EventRecord("received", _at(date(2026, 11, 20), 14, 20),
                            "Tiếp nhận hồ sơ nộp trực tuyến."),
            ),
        ),
        record(
            ret, channel="post", received_at=_at(date(2026, 10, 9), 9, 30),
            due_at=_at(date(2026, 10, 16), 16), completed_at=_at(date(2026, 10, 30), 10),
            events=(
                EventRecord("received", _at(date(2026, 10, 9), 9, 30),
                            "Tiếp nhận hồ sơ gửi qua bưu chính."),
                EventRecord("in_progress", _at(date(2026, 10, 9), 14), None),
                EventRecord("needs_supplement", _at(date(2026, 10, 12), 10), SUPPLEMENT_NOTES[2]),
                EventRecord("returned", _at(date(2026, 10, 30), 10), RETURN_REASONS[0]),
            ),
        ),
    ]


# --- generated dossiers -------------------------------------------------------------------------


def _person(rng: random.Random) -> tuple[str, str, str]:
    sex = rng.choice("mf")
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    born = rng.randint(1950, 2006)
    century_sex = (0 if born < 2000 else 2) + (1 if sex == "f" else 0)
    id_number = (
        f"{rng.choice(PROVINCE_ID_CODES)}{century_sex}{born % 100:02d}{rng.randrange(10**6):06d}"
    )
    phone = f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
    return name, id_number, phone


def _agency_codes(level: str | None) -> tuple[str, ...]:
    level = (level or "").lower()
    if "xã" in level:
        return ("000.00.30.H56", "000.00.31.H56", "000.00.32.H56")
    if "tỉnh" in level:
        return ("000.00.00.H56",)
    return tuple(AGENCIES)


def _generated_record(
    i: int, procedures: Sequence[tuple[str, str | None]], taken: set[str]
) -> ApplicationRecord:
    # one generator per dossier: adding procedures changes only which procedure each one is for
    rng = random.Random(f"{DEMO_SEED}:{i}")
    status = rng.choices(list(_STATUS_WEIGHTS), weights=list(_STATUS_WEIGHTS.values()))[0]
    name, id_number, phone = _person(rng)
    channel = rng.choices(("online", "in_person", "post"), weights=(5, 4, 1))[0]
    working_days = rng.choice((1, 3, 5, 7, 10, 15))
    if status == "received":
        back = rng.randint(0, 2)
    elif status in ("in_progress", "needs_supplement"):
        back = rng.randint(3, 3 + working_days)
    elif status == "overdue":
        back = working_days + rng.randint(2, 20)
    else:
        back = working_days + rng.randint(0, 40)
    received_day = _working_day_on_or_before(DEMO_TODAY - timedelta(days=back))
    if channel == "online" and rng.random() < 0.2:
        received_day = DEMO_TODAY - timedelta(days=back)  # online dossiers arrive on weekends too
    received_at = _at(received_day, rng.randint(7, 16), rng.choice((0, 5, 12, 20, 31, 45, 52)))
    due_day = add_working_days(received_day, working_days)
    while status in ("overdue", "done", "returned") and due_day >= DEMO_TODAY - timedelta(days=3):
        received_day -= timedelta(days=7)  # closed and overdue dossiers are due in the past
        due_day = add_working_days(received_day, working_days)
    received_at = _at(received_day, received_at.astimezone(VIETNAM_TZ).hour, received_at.minute)
    procedure_code, level = procedures[rng.randrange(1 << 30) % len(procedures)]
    agency_code = rng.choice(_agency_codes(level))
    seq = rng.randint(1, 80)
    code = f"{agency_code}-{received_day:%y%m%d}-{seq:04d}"
    while code in taken:
        seq += 1
        code = f"{agency_code}-{received_day:%y%m%d}-{seq:04d}"
    taken.add(code)

    how = {"online": "nộp trực tuyến", "in_person": "tại Bộ phận một cửa",
           "post": "gửi qua bưu chính"}[channel]
    events = [EventRecord("received", received_at, f"Tiếp nhận hồ sơ {how}.")]
    step_day = add_working_days(received_day, 0 if working_days == 1 else 1)
    supplement_note = completed_at = None
    if status != "received":
        events.append(EventRecord("in_progress", _at(step_day, 14), None))
    if status == "needs_supplement" or (status in ("done", "returned") and rng.random() < 0.4):
        note = rng.choice(SUPPLEMENT_NOTES)
        supplement_note = note if status == "needs_supplement" else None
        step_day = add_working_days(step_day, 1)
        events.append(EventRecord("needs_supplement", _at(step_day, 10), note))
        if status == "done":
            step_day = add_working_days(step_day, 2)
            events.append(EventRecord("in_progress", _at(step_day, 9), "Đã nhận giấy tờ bổ sung."))
            due_day = add_working_days(due_day, 2)
    if status in ("done", "returned"):
        end_day = max(step_day, add_working_days(received_day, rng.randint(1, working_days)))
        completed_at = _at(min(end_day, due_day), 15, 30)
        note = (
            rng.choice(RETURN_REASONS) if status == "returned"
            else "Đã có kết quả; kết quả được gửi qua bưu chính." if channel == "post"
            else "Đã có kết quả; mời nhận tại nơi nộp hồ sơ, mang theo phiếu hẹn và giấy tờ "
            "tùy thân."
        )
        events.append(EventRecord(status, completed_at, note))
    if status in ("received", "in_progress", "needs_supplement") and due_day <= DEMO_TODAY:
        due_day = add_working_days(DEMO_TODAY, rng.randint(1, 5))  # appointment moved on
    if status == "overdue":
        events.append(
            EventRecord("overdue", _at(due_day, 17), rng.choice(OVERDUE_NOTES))
        )
    # keep the history strictly in order (a dossier received late in the day moves later steps on)
    for n in range(1, len(events)):
        earliest = events[n - 1].at + timedelta(minutes=30)
        if events[n].at < earliest:
            events[n] = EventRecord(events[n].status, earliest, events[n].note)
    if completed_at is not None:
        completed_at = events[-1].at
    return ApplicationRecord(
        code=code, procedure_code=procedure_code, applicant_name=name, id_number=id_number,
        phone=phone if rng.random() < 0.9 else None, status=status, received_at=received_at,
        due_at=_at(due_day, 16), agency=AGENCIES[agency_code], channel=channel,
        completed_at=completed_at, supplement_note=supplement_note, events=tuple(events),
    )


def demo_records(procedures: Sequence[tuple[str, str | None]]) -> list[ApplicationRecord]:
    """The demo dossiers over ``procedures`` ((code, level) pairs, in a stable order)."""
    if not procedures:
        raise ValueError("demo dossiers need at least one procedure in the catalogue")
    codes = [code for code, _ in procedures]
    known_procedure = PREFERRED_PROCEDURE if PREFERRED_PROCEDURE in codes else codes[0]
    records = _known_records(known_procedure)
    taken = {r.code for r in records}
    records += [_generated_record(i, procedures, taken) for i in range(GENERATED_COUNT)]
    return records


def load_demo(session: Session) -> tuple[int, int]:
    """Upserts the demo dossiers over the curated procedures; returns (created, updated)."""
    procedures = [
        (code, level)
        for code, level in session.execute(
            select(Procedure.code, Procedure.level)
            .where(Procedure.source == "curated")
            .order_by(Procedure.code)
        )
    ]
    if not procedures:
        raise RuntimeError("no curated procedures: run `python -m connectors.manage seed` first")
    created = updated = 0
    for record in demo_records(procedures):
        if upsert_application(session, record):
            created += 1
        else:
            updated += 1
    session.commit()
    return created, updated
