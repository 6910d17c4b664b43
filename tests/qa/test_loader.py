"""A malformed conversation file is reported with its file, line and reason, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from qa.cli import main
from qa.loader import ConversationFile, FormatError, load_file

GOOD = """\
title: Khai sinh
tags: [smoke]
turns:
  - user: "đăng ký khai sinh cần giấy tờ gì"
    expect:
      intent: ask_documents
      text: "Giấy chứng sinh"
  - button: "Lệ phí"
    expect:
      buttons: ["Nộp ở đâu"]
"""


@pytest.mark.parametrize(
    "content, line, reason",
    [
        ("", 1, "the file is empty"),
        ("title: a\nturns:\n  - user: [unclosed\n", 4, "not valid YAML"),
        ("title: a\nturns: []\n", 2, "turns: List should have at least 1 item"),
        ("turns:\n  - user: hi\n", 1, "title: Field required"),
        ("title: a\nturns:\n  - user: hi\n    payload: /greet\n", 3,
         "exactly one of `user`, `payload` or `button` (this one has user, payload)"),
        ("title: a\nturns:\n  - user: hi\n    expect:\n      intnt: greet\n", 5,
         "turns.0.expect.intnt: Extra inputs are not permitted"),
        ("title: a\nturns:\n  - user: hi\n  - user: ok\n    expect:\n      slots: [a]\n", 6,
         "turns.1.expect.slots: Input should be a valid dictionary"),
        ("title: a\nturns:\n  - user: hi\n    expect:\n      buttons: {count: -1}\n", 5,
         "turns.0.expect.buttons.count: Input should be greater than or equal to 0"),
        ("- just\n- a list\n", 1, "Input should be a valid dictionary"),
    ],
)
def test_malformed_files_name_the_line_and_the_reason(
    tmp_path: Path, content: str, line: int, reason: str
) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(content, encoding="utf-8")

    result = load_file(path)

    assert isinstance(result, FormatError)
    assert (result.path, result.line) == (path, line)
    assert reason in result.reason


def test_a_good_file_loads_with_the_line_of_each_turn(tmp_path: Path) -> None:
    path = tmp_path / "good.yml"
    path.write_text(GOOD, encoding="utf-8")

    result = load_file(path)

    assert isinstance(result, ConversationFile)
    assert result.turn_lines == (4, 8)
    first = result.conversation.turns[0].expect
    assert first.text is not None and first.text.contains == ["Giấy chứng sinh"]
    second = result.conversation.turns[1].expect
    assert second.buttons is not None and second.buttons.contains == ["Nộp ở đâu"]


def test_check_command_reports_every_bad_file_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "good.yml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.yml").write_text("title: a\nturns:\n  - usr: hi\n", encoding="utf-8")

    status = main(["check", str(tmp_path)])

    out = capsys.readouterr()
    assert status == 2
    assert f"{tmp_path / 'bad.yml'}:3: turns.0.usr: Extra inputs are not permitted" in out.err
    assert "2 conversation files" not in out.out and "1 conversation files, 2 turns" in out.out


def test_a_missing_path_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "no/such/folder"]) == 2
    assert "no such file or folder: no/such/folder" in capsys.readouterr().err


def test_the_repository_conversations_are_well_formed() -> None:
    assert main(["check"]) == 0
