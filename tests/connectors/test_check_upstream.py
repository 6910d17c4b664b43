"""`manage check-upstream`: a province's dossier file tried against its system before citizens
use it, here against the fake one-stop system (a real loopback server)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from connectors.applications.sources.check import check_upstream
from connectors.db import make_engine, make_session_factory
from tests.fakes.one_stop import (
    API_KEY_ENV,
    SUPPLEMENT_CODE,
    FakeOneStop,
    Mode,
    province_file,
    running,
    secrets_env,
)

UNKNOWN_CODE = "000.00.30.H56-261120-0999"
FAST = {"timeout_seconds": 0.3, "backoff_seconds": 0.01}


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    with make_session_factory(engine)() as opened:
        yield opened
    engine.dispose()


@pytest.fixture
def fake(clock_start: datetime) -> Iterator[FakeOneStop]:
    with running(clock_start) as one_stop:
        yield one_stop


def test_a_fitting_file_reads_the_test_dossier(
    fake: FakeOneStop, session: Session, tmp_path: Path
) -> None:
    check = check_upstream(province_file(fake, tmp_path), session, SUPPLEMENT_CODE,
                           environ=secrets_env())

    assert check.ok, check.lines
    assert check.lines[2].startswith(f"OK    look-up of {SUPPLEMENT_CODE}: needs_supplement")
    shown = "\n".join(check.lines)
    for raw in secrets_env().values():
        assert raw not in shown  # secrets never printed
    assert "applicant: Đ. T. Thử" in shown  # the name masked, as the citizen sees it


@pytest.mark.parametrize(
    ("mode", "code", "says"),
    [
        ("ok", UNKNOWN_CODE, "not found. If the dossier exists, the request path"),
        ("down", SUPPLEMENT_CODE, "the system did not answer"),
        ("error", SUPPLEMENT_CODE, "the system did not answer"),
        ("malformed", SUPPLEMENT_CODE, "the answer does not fit the file"),
        ("unknown-status", SUPPLEMENT_CODE, "the answer does not fit the file"),
    ],
)
def test_what_does_not_fit_is_named(
    fake: FakeOneStop, session: Session, tmp_path: Path, mode: Mode, code: str, says: str
) -> None:
    fake.set_mode(mode)

    check = check_upstream(province_file(fake, tmp_path, resilience=FAST), session, code,
                           environ=secrets_env())

    assert not check.ok
    assert check.lines[-1].startswith(f"FAIL  look-up of {code}: {says}")


def test_a_missing_secret_is_named_before_any_call(
    fake: FakeOneStop, session: Session, tmp_path: Path
) -> None:
    check = check_upstream(province_file(fake, tmp_path), session, SUPPLEMENT_CODE, environ={})

    assert not check.ok
    assert API_KEY_ENV in check.lines[-1]
    assert not fake.calls  # refused before calling


def test_a_file_that_does_not_load_says_which_key(session: Session, tmp_path: Path) -> None:
    broken = tmp_path / "province.yml"
    broken.write_text("upstream: {name: dossiers, base_url: http://x}\nstatuses: {}\n",
                      encoding="utf-8")

    check = check_upstream(broken, session)

    assert not check.ok
    assert check.lines[0].startswith(f"FAIL  upstream file {broken} does not fit")
    assert "statuses" in check.lines[0] and "request" in check.lines[0]
