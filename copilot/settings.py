"""The user's settings: a typed object with a schema version, kept as JSON in the config directory.

Qt-free, so the command line shares it. A settings file that cannot be read is never lost: it is
kept beside as `settings.json.unreadable` (`.unreadable-2`, `-3`... when an earlier one is there)
and the app starts on defaults, saying why.
Secrets (API keys) never go here; they belong in the OS keyring.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

from copilot import APP_ID
from copilot.core.atomic_file import write_text_atomically
from copilot.core.modes import CONFIGURABLE_ENGINES, AssistMode, EngineName, values
from copilot.core.safe_load import loads_json

SCHEMA_VERSION = 1
ASSIST_MODES = values(AssistMode)
ENGINES = tuple(e.value for e in CONFIGURABLE_ENGINES)


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    agent_name: str = ""  # "" until the first-run welcome asks
    assist_mode: str = AssistMode.AUTOMATIC.value  # see copilot.core.modes.AssistMode
    max_concurrent_chats: int = 5  # the most chats routed to the agent at once
    nudges: bool = True  # show a gentle note when a usage flag is raised
    store_message_text: bool = False  # the team opted in to keeping (redacted) message text
    model_dir: str = ""  # a model from `copilot train`; "" for the built-in one
    # LLM engine (issue 6; copilot/assist/llm). The API key is not here: see copilot/secrets.py.
    engine: str = EngineName.OFFLINE.value  # offline | llm
    llm_base_url: str = "http://127.0.0.1:8080/v1"  # any OpenAI-compatible endpoint
    llm_model: str = ""  # "" lets single-model servers pick
    llm_temperature: float = 0.2
    llm_timeout: float = 20.0  # seconds
    llm_max_tokens: int = 256
    llm_redact_remote: bool = True  # mask personal data sent to endpoints not on this machine
    # The team's knowledge and the customer's language (issue 15; copilot/knowledge, copilot/language).
    knowledge_in_drafts: bool = True  # drafts use and cite the imported saved replies and articles
    agent_language: str = "en"  # ISO 639-1: customer messages are translated into it (LLM endpoint)
    # Practice and skill (issue 16; copilot/practice, docs/skill.md).
    blind_first_every: int = 0  # team setting: in 1 chat of N the agent names the issue first; 0 = off
    practice_chats: int = 5  # chats in a practice session (Copilot ▸ Practice…)
    # Chat source (issue 13; copilot/sources/config.py): where chats come from. The token or password
    # is not here: it is in the OS keyring (copilot/secrets.py, get_source_secret).
    chat_source: dict = field(default_factory=dict)  # SourceConfig.to_dict(); {} for the built-in simulator
    # Team store (issue 14; copilot/teamstore): the usage log copied to the team's PostgreSQL in the
    # background. The password is not here: it is in the OS keyring (copilot/secrets.py).
    team_store_url: str = ""  # postgresql://USER@HOST[:PORT]/DATABASE, never with a password
    team_store_sslmode: str = "prefer"  # libpq's sslmode: disable, allow, prefer, require, verify-ca, verify-full
    team_store_sync: bool = False  # copy the usage log to the team store in the background

    def validated(self) -> "Settings":
        for f in fields(self):  # a hand-edited file can hold any JSON value: check each type first
            wanted, value = _TYPES.get(f.type), getattr(self, f.name)
            if wanted is not None and not _is(value, wanted):
                raise ValueError(f"{f.name} must be {_TYPE_WORDS[wanted]}, not {json.dumps(value, default=str)[:40]}")
        if self.assist_mode not in ASSIST_MODES:
            raise ValueError(f"assist_mode must be one of {', '.join(ASSIST_MODES)}, not {self.assist_mode!r}")
        if not 1 <= int(self.max_concurrent_chats) <= 50:
            raise ValueError("max_concurrent_chats must be between 1 and 50")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {self.engine!r}")
        from copilot.assist.llm.config import LLMConfig

        LLMConfig.from_settings(self).validated()
        from copilot.language import LANGUAGES

        if self.agent_language not in LANGUAGES:
            raise ValueError(f"agent_language must be an ISO 639-1 code we detect ({', '.join(LANGUAGES)}), "
                             f"not {self.agent_language!r}")
        from copilot.practice.blind_first import check_every
        from copilot.practice.selection import MAX_CHATS

        check_every(int(self.blind_first_every))
        if not 1 <= int(self.practice_chats) <= MAX_CHATS:
            raise ValueError(f"practice_chats must be between 1 and {MAX_CHATS}")
        if not isinstance(self.chat_source, dict):
            raise ValueError("chat_source must be an object such as {\"kind\": \"matrix\", \"url\": ...}")
        if self.chat_source:
            from copilot.sources.config import SourceConfig

            SourceConfig.from_dict(self.chat_source)
        self._validate_team_store()
        return self

    def _validate_team_store(self) -> None:
        from copilot.teamstore.config import SSLMODES, StoreConfig
        from copilot.teamstore.errors import TeamStoreError

        if self.team_store_sslmode not in SSLMODES:
            raise ValueError(f"team_store_sslmode must be one of {', '.join(SSLMODES)}, not {self.team_store_sslmode!r}")
        if self.team_store_sync and not self.team_store_url.strip():
            raise ValueError("team_store_sync needs team_store_url")
        if self.team_store_url.strip():
            try:
                config = StoreConfig.parse(self.team_store_url, self.team_store_sslmode)
            except TeamStoreError as exc:
                raise ValueError(f"team_store_url: {exc}") from None
            if config.password:
                raise ValueError("team_store_url must not hold a password: it goes to the system keyring")


_TYPES = {"str": str, "int": int, "float": float, "bool": bool}
_TYPE_WORDS = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}


def _is(value, wanted: type) -> bool:
    """JSON's types as Python reads them: true is not a number, 3 is a float, a str enum is text."""
    if wanted is bool or isinstance(value, bool):
        return wanted is bool and isinstance(value, bool)
    return isinstance(value, (int, float)) if wanted is float else isinstance(value, wanted)


class SettingsError(ValueError):
    pass


def settings_path() -> Path:
    override = os.environ.get("COPILOT_CONFIG_DIR")
    folder = Path(override) if override else Path(platformdirs.user_config_dir(APP_ID, appauthor=False))
    return folder / "settings.json"


def load(path: Path | None = None) -> tuple[Settings, str]:
    """The settings, and a message for the user if the file could not be used ("" when fine)."""
    path = path or settings_path()
    if not path.exists():
        return Settings(), ""
    try:
        data = loads_json(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise SettingsError("the file does not hold a JSON object")
        version = data.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or version > SCHEMA_VERSION:
            raise SettingsError(f"it was written by a newer version (settings schema {version})")
        known = {f.name for f in fields(Settings)}
        settings = Settings(**{k: v for k, v in data.items() if k in known})
        settings.schema_version = SCHEMA_VERSION
        return settings.validated(), ""
    except (OSError, TypeError, ValueError) as exc:  # UnicodeDecodeError and JSON errors are ValueErrors
        kept = _keep_aside(path)
        return Settings(), f"Your settings could not be read ({exc}); defaults are in use. The old file is kept as {kept}."


def _keep_aside(path: Path) -> Path:
    """Rename an unreadable file to a name not yet taken (never over an earlier one); `path` if it cannot."""
    for n in range(1, 1000):
        kept = path.with_name(path.name + ".unreadable" + (f"-{n}" if n > 1 else ""))
        try:
            if sys.platform == "win32":
                os.rename(path, kept)  # refuses an existing target there
            else:
                os.link(path, kept)  # refuses an existing target, atomically; then the old name goes
                os.unlink(path)
            return kept
        except FileExistsError:
            continue
        except OSError:
            break
    return path


def save(settings: Settings, path: Path | None = None) -> Path:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_text_atomically(path, json.dumps(asdict(settings.validated()), indent=2) + "\n")
