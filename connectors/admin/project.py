"""Where the console reads and writes the bot's sources: the training data and the domain.

The same directories ``rasa train`` reads (Settings.training_data_dir / training_domain_dir), so
what staff save is what the next model learns. Tests point them at a copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from connectors.settings import Settings


@dataclass(frozen=True)
class ProjectFiles:
    data_dir: Path  # data/: nlu/, rules/
    domain_dir: Path  # bot/domain/

    @classmethod
    def from_settings(cls, settings: Settings) -> ProjectFiles:
        return cls(settings.training_data_dir, settings.training_domain_dir)

    @property
    def nlu_dir(self) -> Path:
        return self.data_dir / "nlu"

    @property
    def rules_dir(self) -> Path:
        return self.data_dir / "rules"

    @property
    def lock_dir(self) -> Path:
        # var/ beside data/: ignored by git, never read by Rasa
        return self.data_dir.parent / "var"
