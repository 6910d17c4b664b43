"""A new intent from the console: its first examples, its response, and the rule joining them.

Three console-owned files named console.yml (data/nlu, bot/domain, data/rules) receive new
intents, so the hand-written files stay as their authors laid them out. All three new texts are
built and checked before any is written.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString
from sqlalchemy.orm import Session

from connectors.admin.audit import record
from connectors.admin.intents import text as ex
from connectors.admin.intents.files import (
    BrokenEdit,
    atomic_write,
    edit_lock,
    examples_as_rasa_reads,
)
from connectors.admin.intents.service import (
    CONSOLE_FILE,
    INTENT_NAME,
    ExampleConflict,
    IntentExists,
    InvalidExample,
    _checked_text,
    _screen,
    conflicts,
    known_intents,
)
from connectors.admin.project import ProjectFiles
from connectors.admin.responses.domain import read_responses, round_trip
from connectors.staff.models import StaffAccount

NLU_HEADER = (
    "# Intents added from the staff console (connectors/admin/intents). Edit them there, or here\n"
    "# by hand: the console keeps this file's layout.\n"
    'version: "3.1"\n'
    "nlu:\n"
)
DOMAIN_HEADER = (
    "# Intents and responses added from the staff console (connectors/admin/intents).\n"
    'version: "3.1"\n'
)
RULES_HEADER = (
    "# One rule per intent added from the staff console: the intent is answered with its\n"
    "# response (connectors/admin/intents).\n"
    'version: "3.1"\n'
    "\n"
    "rules:\n"
)
MAX_RESPONSE_LENGTH = 2000


@dataclass(frozen=True)
class NewIntent:
    name: str
    examples: tuple[str, ...]
    response: str

    @property
    def utter(self) -> str:
        return f"utter_{self.name}"


def _read_or(path: Path, header: str) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else header


def _nlu_text(current: str, intent: NewIntent) -> str:
    block = f"- intent: {intent.name}\n  examples: |\n" + "".join(
        f"    - {e}\n" for e in intent.examples
    )
    separator = "" if current.endswith("nlu:\n") else "\n"
    return current.rstrip("\n") + "\n" + separator + block if current.strip() else block


def _domain_text(current: str, intent: NewIntent) -> str:
    """The console's domain file with the new intent and its response (round trip: staff
    edits of its other responses, made on the responses page, stay as they are)."""
    loader = round_trip()
    data = loader.load(current)
    if data.get("intents") is None:
        data["intents"] = CommentedSeq()
    data["intents"].append(intent.name)
    if data.get("responses") is None:
        data["responses"] = CommentedMap()
    variation = CommentedMap()
    variation["text"] = DoubleQuotedScalarString(intent.response)
    variations = CommentedSeq()
    variations.append(variation)
    data["responses"][intent.utter] = variations
    out = io.StringIO()
    loader.dump(data, out)
    return out.getvalue()


def _rules_text(current: str, intent: NewIntent) -> str:
    rule = (
        f"  - rule: {intent.name} (thêm từ trang quản trị)\n"
        f"    steps:\n"
        f"      - intent: {intent.name}\n"
        f"      - action: {intent.utter}\n"
    )
    return current.rstrip("\n") + ("\n\n" if not current.endswith("rules:\n") else "\n") + rule


def _check(text: str, what: str) -> dict[str, object]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BrokenEdit(f"{what}: {exc}") from exc
    if not isinstance(data, dict):
        raise BrokenEdit(what)
    return data


def add_intent(
    session: Session, files: ProjectFiles, name: str, examples: list[str], response: str,
    actor: StaffAccount | str, *, now: datetime, confirm: bool = False,
) -> NewIntent:
    """A new intent with its first examples and its answer (``utter_<name>``), answered by a
    rule. Raises InvalidExample (the message says why), IntentExists, ExampleConflict."""
    name = name.strip()
    if not INTENT_NAME.match(name):
        raise InvalidExample(
            "Tên ý định chỉ gồm chữ thường không dấu, số và dấu gạch dưới (3–48 ký tự), "
            "bắt đầu bằng chữ, ví dụ: hoi_gio_lam_viec."
        )
    cleaned = [_checked_text(files, e) for e in examples if e.strip()]
    if not cleaned:
        raise InvalidExample("Ý định mới cần ít nhất một câu mẫu.")
    if len({ex.exact_key(e) for e in cleaned}) != len(cleaned):
        raise InvalidExample("Các câu mẫu đang trùng nhau.")
    answer = response.strip()
    if not answer or len(answer) > MAX_RESPONSE_LENGTH:
        raise InvalidExample(f"Câu trả lời cần có nội dung (tối đa {MAX_RESPONSE_LENGTH} ký tự).")
    intent = NewIntent(name, tuple(cleaned), answer)
    nlu_path = files.nlu_dir / CONSOLE_FILE
    domain_path = files.domain_dir / CONSOLE_FILE
    rules_path = files.rules_dir / CONSOLE_FILE
    with edit_lock(files.lock_dir):
        if name in known_intents(files) or intent.utter in read_responses(files.domain_dir):
            raise IntentExists(name)
        found = [c for e in cleaned for c in conflicts(files, name, e)]
        if found:
            _screen(found, confirm)
        old_nlu = _read_or(nlu_path, NLU_HEADER)
        new_nlu = _nlu_text(old_nlu, intent)
        expected = examples_as_rasa_reads(old_nlu) if old_nlu.strip() else {}
        expected[name] = list(cleaned)
        if examples_as_rasa_reads(new_nlu) != expected:
            raise BrokenEdit(f"{nlu_path.name}: the new intent would not read back")
        new_domain = _domain_text(_read_or(domain_path, DOMAIN_HEADER), intent)
        domain = _check(new_domain, domain_path.name)
        responses = domain.get("responses")
        if not isinstance(responses, dict) or responses.get(intent.utter) != [{"text": answer}]:
            raise BrokenEdit(f"{domain_path.name}: the new response would not read back")
        new_rules = _rules_text(_read_or(rules_path, RULES_HEADER), intent)
        _check(new_rules, rules_path.name)
        atomic_write(domain_path, new_domain)
        atomic_write(rules_path, new_rules)
        atomic_write(nlu_path, new_nlu)  # last: the intent appears in the list once complete
    record(session, actor, "intent.add", name, before=None,
           after={"intent": name, "examples": list(cleaned), "response": answer}, now=now)
    return intent


__all__ = ["ExampleConflict", "IntentExists", "InvalidExample", "NewIntent", "add_intent"]
