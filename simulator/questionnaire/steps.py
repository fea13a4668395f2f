"""The questionnaire's steps as data: the schema of questionnaire.yaml, read once."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

# Beside the package, not in it: `simulator`'s package data (setup.cfg).
DATA_FILE = Path(__file__).parent.parent / "questionnaire.yaml"

Role = Literal["applicant", "partner", "child"]
InputType = Literal[
    "postal_code",
    "commune",
    "month",
    "yes_no",
    "count",
    "date",
    "radio",
    "members",
    "checkboxes",
    "percent",
    "amount",
]
Writer = Literal[
    "value",
    "option_fields",
    "postal_code",
    "partner",
    "children",
    "declare_disability",
    "declare_incomes",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Text(Strict):
    """A sentence in French (the reference) and English; {number} is a child's rank."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str, number: int | None = None) -> str:
        text = self.en if language == "en" else self.fr
        return text.replace("{number}", str(number)) if number is not None else text


class RoleText(Strict):
    """A sentence per role, for the questions that name a person."""

    applicant: Text | None = None
    partner: Text | None = None
    child: Text | None = None


class Condition(Strict):
    """Every test given must hold; `any` holds when one of its conditions does."""

    role: tuple[Role, ...] | None = None
    activity: tuple[str, ...] | None = None
    min_age: int | None = None
    declared: Literal["disability_rate"] | None = None
    declared_income: str | None = None
    tenure: tuple[str, ...] | None = None
    commune: tuple[str, ...] | None = None
    postal_code_ambiguous: bool | None = None
    any: tuple[Condition, ...] | None = None


class Option(Strict):
    value: str
    label: Text
    when: Condition | None = None
    # For `option_fields` steps: the fields the option sets.
    set: dict[str, bool | str | float] | None = None


class Step(Strict):
    id: str = Field(pattern=r"^[a-z_]+$")
    chapter: str
    input: InputType
    writes: Writer = "value"
    fills: tuple[str, ...] = ()
    optional: bool = False
    skipped_keeps_value: bool = False
    period: Literal["month", "year"] = "month"
    when: Condition | None = None
    question: Text | RoleText
    question_alone: Text | None = None
    hint: Text | RoleText
    summary: Text | RoleText
    required: Text | RoleText
    required_alone: Text | None = None
    none_label: Text | None = None
    options: tuple[Option, ...] = ()

    @model_validator(mode="after")
    def consistent(self) -> Step:
        if self.writes == "value" and len(self.fills) != 1:
            raise ValueError(f"{self.id}: a value step fills exactly one field")
        if self.input in ("radio", "checkboxes") and not self.options:
            raise ValueError(f"{self.id}: a {self.input} step needs options")
        if self.input in ("members", "checkboxes") and self.none_label is None:
            raise ValueError(f"{self.id}: a {self.input} step needs a none_label")
        return self


class Block(Strict):
    for_: Literal["household", "adults", "members"] = Field(alias="for")
    steps: tuple[Step, ...]


class Chapter(Strict):
    id: str
    title: Text


class Questionnaire(Strict):
    member_names: RoleText
    chapters: tuple[Chapter, ...]
    blocks: tuple[Block, ...]

    @model_validator(mode="after")
    def unique_steps_known_chapters(self) -> Questionnaire:
        ids = [step.id for block in self.blocks for step in block.steps]
        if len(ids) != len(set(ids)):
            raise ValueError("step ids must be unique")
        chapters = {chapter.id for chapter in self.chapters}
        for block in self.blocks:
            for step in block.steps:
                if step.chapter not in chapters:
                    raise ValueError(f"{step.id}: unknown chapter {step.chapter}")
        return self

    def step(self, step_id: str) -> tuple[Block, Step] | None:
        for block in self.blocks:
            for step in block.steps:
                if step.id == step_id:
                    return block, step
        return None


@functools.cache
def questionnaire() -> Questionnaire:
    """The steps, read once per process."""
    with DATA_FILE.open(encoding="utf-8") as stream:
        return Questionnaire.model_validate(yaml.safe_load(stream))
