"""The conversation file format: what the citizen says, turn by turn, and what must come back.

Facts are checked as facts (``contains: ["20.000", "7 ngày làm việc"]``), not as whole sentences, so
rewording an answer does not break a test that checks a fee. ``python -m qa schema`` prints the JSON
Schema; ``tests/conversations/README.md`` explains the format with examples.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class _Contains(_Strict):
    """A check whose shorthand is its `contains` list: `text: "20.000"`, `buttons: [...]`."""

    contains: list[str] = Field(default_factory=list, description="each must appear, as written")
    not_contains: list[str] = Field(default_factory=list, description="none may appear")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str | list):
            return {"contains": _as_list(value)}
        return value

    @field_validator("contains", "not_contains", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)


class TextCheck(_Contains):
    """Checks on everything the bot wrote in this turn (its messages joined by new lines)."""

    regex: list[str] = Field(default_factory=list, description="each must match (re.search)")
    not_regex: list[str] = Field(default_factory=list, description="none may match")
    exact: str | None = Field(default=None, description="the whole text, exactly")

    @field_validator("regex", "not_regex", mode="before")
    @classmethod
    def _patterns(cls, value: Any) -> Any:
        return _as_list(value)


class ButtonCheck(_Contains):
    """Checks on the titles of the quick-reply buttons of this turn."""

    exact: list[str] | None = Field(default=None, description="all titles, in order")
    count: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)


class Expect(_Strict):
    """What must come back. Everything is optional: a turn checks only what it names."""

    intent: str | None = None
    entities: dict[str, str | None] = Field(
        default_factory=dict,
        description="entity -> value found in this message; null means the entity must be absent",
    )
    actions: list[str] = Field(
        default_factory=list, description="actions run in this turn, in this order (others may run)"
    )
    not_actions: list[str] = Field(default_factory=list)
    responses: list[str] = Field(
        default_factory=list,
        description="response names (utter_*) the bot used in this turn, in this order",
    )
    not_responses: list[str] = Field(default_factory=list)
    slots: dict[str, Any] = Field(
        default_factory=dict, description="slot values after this turn; null means unset"
    )
    text: TextCheck | None = None
    buttons: ButtonCheck | None = None
    silent: bool = Field(default=False, description="the bot must say nothing")
    invariants: bool = Field(
        default=True,
        description="also check what every answer must be: not empty, no unfilled {variable}, "
        "no duplicate button titles",
    )

    @field_validator("actions", "not_actions", "responses", "not_responses", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_list(value)


class Turn(_Strict):
    """One message from the citizen: typed text, a button payload, or a click on a button."""

    user: str | None = Field(default=None, description="what the citizen types")
    payload: str | None = Field(default=None, description="a payload, e.g. '/ask_fee'")
    button: str | None = Field(
        default=None, description="the title of a button in the bot's previous reply to click"
    )
    channel: str | None = Field(default=None, description="input channel name (default: rest)")
    metadata: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    note: str | None = Field(default=None, description="why this turn matters (for reviewers)")
    expect: Expect = Field(default_factory=Expect)

    @model_validator(mode="after")
    def _one_message(self) -> Turn:
        given = [name for name in ("user", "payload", "button") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "a turn says exactly one of `user`, `payload` or `button`"
                + (f" (this one has {', '.join(given)})" if given else "")
            )
        return self

    @property
    def said(self) -> str:
        return self.user if self.user is not None else self.payload or f"[{self.button}]"


class Conversation(_Strict):
    """One conversation, replayed under its own sender id."""

    title: str = Field(min_length=1)
    description: str | None = None
    tags: list[str] = Field(default_factory=list)
    channel: str | None = Field(default=None, description="default input channel of the turns")
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="sent with every message (e.g. the page's locality)"
    )
    turns: list[Turn] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    schema = Conversation.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "QA conversation file (tests/conversations/*.yml)"
    return schema
