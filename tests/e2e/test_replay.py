"""QA replay against the stack the suite starts: the whole conversation suite must pass, and it must
notice a deliberately broken answer (a fee changed in the database, a response text changed in the
deployed model), and pass again once the bot is restored."""

from __future__ import annotations

import asyncio
import io
import json
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import select

from connectors.db import make_engine, make_session_factory
from connectors.procedures.models import SubmissionChannel
from connectors.procedures.service import bump_catalogue_version
from qa.client import BotClient
from qa.loader import ConversationFile, load_all, load_file
from qa.record import default_key_prefix, from_redis, write
from qa.report import Totals, console, totals, write_reports
from qa.runner import ConversationResult, replay
from scripts.stack import Stack, model_path
from tests.e2e.conftest import REDIS_URL, Say

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "tests" / "conversations"
REPORTS = ROOT / "var" / "results" / "replay"
BIRTH = SUITE / "procedures" / "birth-registration.yml"


def run(stack: Stack, files: list[ConversationFile], jobs: int = 4) -> tuple[
    list[ConversationResult], Totals
]:
    async def go() -> list[ConversationResult]:
        async with BotClient(stack.config.rasa_url, stack.token) as bot:
            return await replay(bot, files, jobs=jobs)

    started = time.monotonic()
    results = asyncio.run(go())
    return results, totals(results, time.monotonic() - started)


def one(path: Path) -> ConversationFile:
    loaded = load_file(path)
    assert isinstance(loaded, ConversationFile), loaded
    return loaded


def test_the_whole_conversation_suite_passes_and_writes_both_reports(stack: Stack) -> None:
    files, errors = load_all([SUITE])
    assert errors == []

    results, t = run(stack, files)
    xml_path, html_path = write_reports(results, t, REPORTS, stack.config.rasa_url)

    print(console(results, t))  # how long and how many turns, in the CI log
    assert t.failed == 0, console(results, t)
    assert t.checked >= 300 and t.conversations >= 60
    assert xml_path.stat().st_size > 0 and html_path.stat().st_size > 0


def _fee_turns(results: list[ConversationResult]) -> list[tuple[int, list[str]]]:
    return [(t.index, [p.what for p in t.problems]) for r in results for t in r.failed]


@pytest.fixture
def birth_fee(stack: Stack) -> Iterator[list[str]]:
    """Changes the birth registration fee in the stack's database; puts it back afterwards."""
    engine = make_engine(stack.config.database_url)
    factory = make_session_factory(engine)

    def set_fees(fees: list[str] | None) -> list[str]:
        with factory() as session:
            channels = session.scalars(
                select(SubmissionChannel).where(SubmissionChannel.procedure_code == "1.001193")
            ).all()
            before = [c.fee_text or "" for c in channels]
            for channel, fee in zip(channels, fees or [], strict=False):
                channel.fee_text = fee
            bump_catalogue_version(session)  # what any catalogue write does: the cache moves on
            session.commit()
            return before

    original = set_fees(None)
    set_fees(["50.000 đồng"] * len(original))
    yield original
    set_fees(original)
    engine.dispose()


def test_a_fee_changed_in_the_database_fails_the_turn_that_checks_it(
    stack: Stack, birth_fee: list[str]
) -> None:
    results, _ = run(stack, [one(BIRTH)])

    assert _fee_turns(results) == [(1, ["text contains"])]


def test_the_suite_passes_again_once_the_fee_is_restored(stack: Stack) -> None:
    results, t = run(stack, [one(BIRTH)])

    assert t.failed == 0, console(results, t)


# --- a response text changed in the deployed model ---------------------------------------------


def _with_response(model: Path, target: Path, response: str, text: str) -> Path:
    """A copy of the model whose domain says ``text`` for ``response`` (no retraining needed:
    the deployed model's domain is what the bot renders answers from)."""
    with tarfile.open(model, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            content = data.read() if data else None
            name = member.name.lstrip("/")
            if content is not None and name == "metadata.json":
                metadata: dict[str, Any] = json.loads(content)
                metadata["domain"]["responses"][response] = [{"text": text}]
                content = json.dumps(metadata).encode()
            elif content is not None and name == "components/domain_provider/domain.yml":
                domain = yaml.safe_load(content)
                domain["responses"][response] = [{"text": text}]
                content = yaml.safe_dump(domain, allow_unicode=True).encode()
            if content is not None:
                member.size = len(content)
                out.addfile(member, io.BytesIO(content))
            else:
                out.addfile(member)
    return target


def _load_model(stack: Stack, path: Path) -> None:
    response = httpx.put(
        f"{stack.config.rasa_url}/model", params={"token": stack.token},
        json={"model_file": str(path)}, timeout=120,
    )
    assert response.status_code == 204, response.text


@pytest.fixture
def reworded_supplement(stack: Stack, tmp_path: Path) -> Iterator[None]:
    live = model_path()  # what the stack runs: the model of the current data
    broken = _with_response(
        live, tmp_path / "broken.tar.gz", "utter_status_needs_supplement",
        "Hồ sơ cần bổ sung. Anh/chị liên hệ {agency} ạ.",  # the note of what to bring is gone
    )
    _load_model(stack, broken)
    yield
    _load_model(stack, live)


def _needs_supplement_files() -> list[ConversationFile]:
    files, _ = load_all([SUITE / "status"])
    chosen = [
        f for f in files
        if any("000.00.30.H56-261115-0012" in (t.user or "") for t in f.conversation.turns)
    ]
    assert chosen, "the suite must look up the dossier that needs a supplement"
    return chosen


def test_a_response_text_changed_in_the_model_fails_the_status_turns(
    stack: Stack, reworded_supplement: None
) -> None:
    results, t = run(stack, _needs_supplement_files())

    assert t.failed >= 1
    assert all(
        any(p.what.startswith("text") for p in turn.problems)
        for r in results for turn in r.failed
    )


def test_the_status_turns_pass_again_with_the_model_restored(stack: Stack) -> None:
    results, t = run(stack, _needs_supplement_files())

    assert t.failed == 0, console(results, t)


# --- record: from a real conversation to a regression test -------------------------------------


def test_a_real_conversation_is_recorded_masked_and_replays(
    stack: Stack, say: Say, sender: str, tmp_path: Path
) -> None:
    say(sender, "đăng ký khai sinh cần giấy tờ gì")
    say(sender, "lệ phí bao nhiêu?")
    say(sender, "tôi muốn phản ánh đèn đường hỏng")
    say(sender, "đèn đường ngõ 12 phố Huế hỏng cả tuần, tối om, trẻ con đi học về rất nguy hiểm")

    prefix = default_key_prefix(stack.config.redis_key_prefix)
    written = write(from_redis(REDIS_URL, prefix, [sender]), tmp_path)

    assert len(written) == 1
    text = written[0].read_text(encoding="utf-8")
    assert sender not in written[0].name and sender not in text
    assert "ngõ 12 phố Huế" not in text and "[địa chỉ]" in text
    recorded = one(written[0])
    assert [t.expect.intent for t in recorded.conversation.turns][:2] == [
        "ask_documents", "ask_fee",
    ]
    results, _ = run(stack, [recorded])
    assert [t.passed for t in results[0].turns[:2]] == [True, True]

