"""The pure parts of the end-to-end load benchmark (scripts/bench_load.py): percentiles, reading
/proc, the open-loop schedule and the conversations it sends. The benchmark itself runs by hand
(`make bench-load`), never in CI."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from scripts.bench_load import (
    CLOCK_TICKS,
    CODE,
    OURS,
    STOCK,
    TURNS,
    Meter,
    Report,
    Result,
    Settings,
    System,
    group_usage,
    markdown,
    parse_peak_rss_kb,
    parse_stat,
    slot_of,
    targets,
)
from scripts.bench_support import pct

VALUES = [float(v) for v in range(1, 101)]  # 1..100


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [
        (VALUES, 0.5, 51.0),
        (VALUES, 0.95, 96.0),
        (VALUES, 0.99, 100.0),
        (VALUES, 1.0, 100.0),
        ([3.0, 1.0, 2.0], 0.5, 2.0),
        ([7.0], 0.99, 7.0),
    ],
)
def test_percentiles_are_nearest_rank(values: list[float], q: float, expected: float) -> None:
    assert pct(values, q) == expected


def test_a_result_reports_milliseconds_throughput_and_slow_messages() -> None:
    result = Result("closed 1", latencies=[0.010, 0.020, 0.200, 0.160], elapsed=2.0)

    assert (result.messages, result.throughput) == (4, 2.0)
    assert result.ms(0.5) == pytest.approx(160.0)
    assert result.over(150.0) == 2


# a real line (uvicorn); the command name may hold spaces and parentheses
STAT = (
    "4242 (python (x) y) S 1 4240 4240 0 -1 4194560 9620 0 0 0 "
    "150 27 3 4 20 0 3 0 112233 489000000 36000 18446744073709551615 1 1 0 0 0 0 0 "
    "16781312 16386 0 0 0 17 1 0 0 0 0 0"
)
STATUS = "Name:\tpython\nVmPeak:\t  900000 kB\nVmHWM:\t  153600 kB\nVmRSS:\t  140000 kB\n"


@pytest.mark.parametrize(
    ("text", "pid", "pgrp", "ticks"),
    [
        (STAT, 4242, 4240, 177),  # utime 150 + stime 27; children's time not counted
        ("7 (rasa) R 1 7 7 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 1 1", 7, 7, 11),
    ],
)
def test_proc_stat_gives_the_process_group_and_its_cpu_ticks(
    text: str, pid: int, pgrp: int, ticks: int
) -> None:
    stat = parse_stat(text)

    assert (stat.pid, stat.pgrp, stat.cpu_ticks) == (pid, pgrp, ticks)


@pytest.mark.parametrize(
    ("status", "kb"), [(STATUS, 153600), ("Name:\tkthreadd\nState:\tS (sleeping)\n", 0)]
)
def test_proc_status_gives_the_peak_resident_set(status: str, kb: int) -> None:
    assert parse_peak_rss_kb(status) == kb


def test_a_group_sums_the_cpu_of_its_processes_and_keeps_each_peak(tmp_path: Path) -> None:
    def process(pid: int, pgrp: int, utime: int, hwm_kb: int) -> None:
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "stat").write_text(
            f"{pid} (x) S 1 {pgrp} {pgrp} 0 -1 0 0 0 0 0 {utime} 0 0 0 20 0 1 0 1 1 1"
        )
        (tmp_path / str(pid) / "status").write_text(f"VmHWM:\t{hwm_kb} kB\n")

    process(10, 10, 100, 2048)  # the server
    process(11, 10, 300, 1024)  # its worker
    process(12, 99, 5000, 4096)  # another service
    (tmp_path / "self").mkdir()

    usage = group_usage(10, proc=tmp_path)

    assert usage.peak_rss_mb == {10: 2.0, 11: 1.0}
    assert usage.cpu_seconds == pytest.approx(400 / CLOCK_TICKS)


@pytest.mark.parametrize(
    ("message", "citizens", "expected"),
    [
        (0, 3, (0, 0, 0)),
        (2, 3, (2, 0, 0)),
        (3, 3, (0, 0, 1)),  # the first citizen's second turn, a round later
        (11, 3, (2, 0, 3)),  # its last turn
        (12, 3, (0, 1, 0)),  # then a new conversation in the same slot
        (5, 1, (0, 1, 1)),  # one citizen: turns one after the other
    ],
)
def test_the_open_loop_gives_each_citizen_one_turn_per_round(
    message: int, citizens: int, expected: tuple[int, int, int]
) -> None:
    assert slot_of(message, citizens, TURNS) == expected


@pytest.mark.parametrize("scripts", [OURS, STOCK], ids=["ours", "stock"])
def test_every_conversation_has_four_turns_each_with_a_fact_to_find(
    scripts: tuple[tuple[tuple[str, str], ...], ...],
) -> None:
    assert [len(script) for script in scripts] == [TURNS] * len(scripts)
    assert all(message.strip() and fact.strip() for s in scripts for message, fact in s)


def test_our_conversations_follow_up_on_a_procedure_and_look_up_a_dossier_in_one_of_four() -> None:
    lookups = [s for s in OURS if any(message == CODE for message, _ in s)]

    assert len(lookups) == 1 and len(OURS) == 4
    # greeting first; the follow-ups name no procedure, so they need the one in focus
    assert all(script[0][1] == "trợ lý ảo" for script in OURS)
    assert [s[2][0] for s in OURS if s not in lookups] == [
        "lệ phí bao nhiêu?", "phí bao nhiêu", "lệ phí bao nhiêu?"
    ]


def _system(name: str, instances: int, one_p50: float, best: float) -> System:
    """A system whose one-conversation p50 is ``one_p50`` s and whose best msg/s is ``best``."""
    one = Result("closed 1", latencies=[one_p50] * 4, elapsed=8 / best)  # half the best
    busy = Result("closed 10", latencies=[1.0] * 40, elapsed=40 / best)
    return System(name, instances, Result("warm"), [one, busy],
                  Result("open 20/s", latencies=[0.05] * 19 + [0.2], elapsed=1.0))


@pytest.mark.parametrize(
    ("ours", "expected"),
    [
        (
            _system("ours, 1 Rasa", 1, 0.030, 16.0),
            [
                ("open loop p95 <= 150 ms at 20 msg/s (ours, 1 Rasa)", "200 ms", "NOT met"),
                ("one conversation p50 <= 1.5x stock", "30 / 20 ms = 1.50x", "met"),
                ("saturation per Rasa process >= 0.8x stock (ours, 1 Rasa)",
                 "16.0 / 20.0 msg/s = 0.80x", "met"),
            ],
        ),
        (
            _system("ours, 1 Rasa", 1, 0.042, 13.0),
            [
                ("open loop p95 <= 150 ms at 20 msg/s (ours, 1 Rasa)", "200 ms", "NOT met"),
                ("one conversation p50 <= 1.5x stock", "42 / 20 ms = 2.10x", "NOT met"),
                ("saturation per Rasa process >= 0.8x stock (ours, 1 Rasa)",
                 "13.0 / 20.0 msg/s = 0.65x", "NOT met"),
            ],
        ),
    ],
)
def test_targets_compare_ours_with_stock_from_the_same_run(
    ours: System, expected: list[tuple[str, str, str]]
) -> None:
    stock = _system("stock Rasa", 1, 0.020, 20.0)
    settings = Settings(levels=(1, 10), rate=20.0, duration=1.0, think=1.0, repeat=1, quick=True)
    meter = Meter()
    meter.peak_rss_mb = {"rasa": 700.0, "stock rasa": 2000.0}
    report = Report(settings, "cmd", "SQLite", [ours, stock], {}, [], meter,
                    datetime(2026, 1, 1, tzinfo=timezone.utc), 1.0, "load")

    assert targets(report) == [
        *expected, ("memory per Rasa process < 1.5 GB", "700 MB peak RSS", "met")
    ]
    assert "| one conversation p50 <= 1.5x stock |" in markdown(report)
