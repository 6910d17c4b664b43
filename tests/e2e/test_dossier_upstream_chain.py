"""The whole chain reading dossier statuses from a province's one-stop-shop system: a citizen
talks to Rasa over REST, the action server asks the connectors, the connectors (restarted with
DOSSIER_SOURCE=upstream and the shipped example file) ask a fake of the province's system on
loopback. The local demo dossiers stay in the database and must not answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta

import httpx
import pytest

from connectors.applications.demo import known_dossiers
from scripts.stack import Stack
from tests.e2e.conftest import Say
from tests.fakes.one_stop import (
    ID_NUMBER,
    IN_PROGRESS_CODE,
    SUPPLEMENT_CODE,
    VIETNAM_TZ,
    FakeOneStop,
    in_progress_dossier,
    province_file,
    running,
    secrets_env,
)

pytestmark = pytest.mark.e2e

LOCAL_DEMO = next(d for d in known_dossiers() if d.status == "needs_supplement")
# a third invented dossier, looked up only while the fake is down: never cached
NEVER_SEEN_CODE = "000.00.32.H56-261122-0103"


def texts(messages: list[dict[str, object]]) -> str:
    return "\n".join(str(m.get("text", "")) for m in messages)


@pytest.fixture(scope="module")
def fake(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeOneStop]:
    """The fake province system, and the running connectors pointed at it for this module."""
    now = datetime.now(VIETNAM_TZ)
    with running(now) as one_stop:
        never_seen = in_progress_dossier(now)
        never_seen["maHoSo"] = NEVER_SEEN_CODE
        one_stop.add(never_seen)
        path = province_file(
            one_stop,
            tmp_path_factory.mktemp("province"),
            # the circuit must not open across tests (connectors tests cover it)
            resilience={"breaker_failures": 50, "breaker_reset_seconds": 1},
        )
        env = {
            "DOSSIER_SOURCE": "upstream",
            "DOSSIER_UPSTREAM_FILE": str(path),
            # every look-up asks the province's system: a copy is shown only when it is down
            "DOSSIER_CACHE_SECONDS": "0",
            **secrets_env(),
        }
        with stack.reconfigured("connectors", env):
            yield one_stop


@pytest.fixture
def ok(fake: FakeOneStop) -> Iterator[FakeOneStop]:
    fake.set_mode("ok")
    yield fake
    fake.set_mode("ok")


@pytest.fixture(scope="module")
def hotline(stack: Stack) -> str:
    response = httpx.get(f"{stack.config.connectors_url}/api/v1/locality", timeout=10)
    return str(response.json()["hotline"])


def ask(say: Say, sender: str, code: str, identifier: str = ID_NUMBER) -> str:
    say(sender, "tra cứu hồ sơ")
    say(sender, code)
    return texts(say(sender, identifier))


def test_the_status_comes_from_the_province_system(ok: FakeOneStop, say: Say, sender: str) -> None:
    dossier = ok.dossiers[SUPPLEMENT_CODE]
    received = dossier["ngayTiepNhan"][:10]  # dd/mm/yyyy
    due = dossier["ngayHenTra"][:10]
    supplement_due = dossier["hanBoSung"][:10]
    calls = ok.calls["lookup"]

    answer = ask(say, sender, SUPPLEMENT_CODE)

    assert (
        f"Hồ sơ {SUPPLEMENT_CODE}\nThủ tục: Đăng ký khai sinh\nTình trạng: Cần bổ sung hồ sơ\n"
        f"Ngày tiếp nhận: {received}\nNgày hẹn trả kết quả: {due}"
    ) in answer
    assert (
        "Hồ sơ đang chờ anh/chị bổ sung: Bổ sung bản chính Giấy chứng sinh (bản chụp bị mờ).\n"
        f"Hạn bổ sung: {supplement_due}."
    ) in answer
    assert "cập nhật lúc" not in answer  # a fresh answer carries no age line
    assert ok.calls["lookup"] == calls + 1


def test_the_local_database_is_switched_off(ok: FakeOneStop, say: Say, sender: str) -> None:
    answer = ask(say, sender, LOCAL_DEMO.code, LOCAL_DEMO.id_number)

    assert "chưa khớp với mã hồ sơ" in answer
    assert "Cần bổ sung" not in answer


def test_the_province_system_down_without_a_copy_gets_busy_and_the_hotline(
    ok: FakeOneStop, say: Say, sender: str, hotline: str
) -> None:
    ok.set_mode("down")  # the conversation's first look-up: the hotline is named all the same

    answer = ask(say, sender, NEVER_SEEN_CODE, "001090005555")

    assert "hệ thống thông tin giải quyết thủ tục hành chính của tỉnh đang bận" in answer
    assert hotline in answer
    assert "Tình trạng" not in answer


def test_the_province_system_down_after_an_answer_shows_it_with_its_time(
    ok: FakeOneStop, say: Say, sender: str
) -> None:
    before = datetime.now(VIETNAM_TZ).replace(second=0, microsecond=0)
    ask(say, sender, IN_PROGRESS_CODE, "001090005555")
    after = datetime.now(VIETNAM_TZ)
    ok.set_mode("down")

    answer = ask(say, f"{sender}-later", IN_PROGRESS_CODE, "001090005555")

    assert "Tình trạng: Đang giải quyết" in answer
    shown = re.search(r"cập nhật lúc (\d\d:\d\d ngày \d\d/\d\d/\d{4})", answer)
    assert shown, answer
    at = datetime.strptime(shown[1], "%H:%M ngày %d/%m/%Y").replace(tzinfo=VIETNAM_TZ)
    assert before <= at <= after + timedelta(minutes=1)


def test_an_unknown_status_gets_the_cannot_read_reply_never_a_guess(
    ok: FakeOneStop, say: Say, sender: str, hotline: str
) -> None:
    ok.set_mode("unknown-status")

    answer = ask(say, sender, SUPPLEMENT_CODE)

    assert "em chưa đọc được trạng thái hồ sơ này từ hệ thống của tỉnh" in answer
    assert hotline in answer
    assert "Tình trạng" not in answer


def test_health_reports_the_province_system(ok: FakeOneStop, stack: Stack) -> None:
    health = httpx.get(f"{stack.config.connectors_url}/health", timeout=10).json()

    assert health["upstreams"]["dossiers"]["state"] == "closed"

