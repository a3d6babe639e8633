"""Settings, read once from the environment and `.env` at the edge (CLI or bot start)."""

from __future__ import annotations

from pathlib import Path

from typing import Any

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _env(name: str) -> AliasChoices:
    # Standard names (SLACK_BOT_TOKEN, OPENAI_API_KEY, DATABASE_URL) work as-is;
    # the KPI_ADVISOR_ prefixed form is accepted too.
    return AliasChoices(name, f"KPI_ADVISOR_{name}")


class Settings(BaseSettings):
    """Every knob of the product; see `.env.example` for the documented list."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # Where local state lives: SQLite file, Chroma folder, generated sample data.
    # Not named `home`: settings also match env vars by field name, and HOME is the user's home.
    home_dir: Path = Field(default=Path(".kpi-advisor"), validation_alias=_env("HOME_DIR"))
    timezone: str = Field(default="UTC", validation_alias=_env("TIMEZONE"))

    # KPI data: a CSV/Parquet file or folder, or a SQL database URL. Neither -> bundled sample.
    data_path: Path | None = Field(default=None, validation_alias=_env("DATA_PATH"))
    data_url: str | None = Field(default=None, validation_alias=_env("DATA_URL"))
    data_mapping: str | None = Field(default=None, validation_alias=_env("DATA_MAPPING"))
    catalog_paths: list[Path] = Field(default_factory=list, validation_alias=_env("CATALOG_PATHS"))

    # App state (installations, subscriptions, delivery log, conversations).
    database_url: str | None = Field(default=None, validation_alias=_env("DATABASE_URL"))

    # Knowledge base.
    chroma_path: Path | None = Field(default=None, validation_alias=_env("CHROMA_PATH"))
    chroma_host: str | None = Field(default=None, validation_alias=_env("CHROMA_HOST"))
    chroma_port: int = Field(default=8000, validation_alias=_env("CHROMA_PORT"))
    embedder: str = Field(default="lexical", validation_alias=_env("EMBEDDER"))
    embedding_model: str = Field(
        default="text-embedding-3-small", validation_alias=_env("EMBEDDING_MODEL")
    )
    knowledge_dirs: list[Path] = Field(
        default_factory=list, validation_alias=_env("KNOWLEDGE_DIRS")
    )
    # OpenAI embeddings: seconds per request and retries; a question's embedding also
    # stops at the answer's deadline (LLM_TIMEOUT).
    embedding_timeout: float = Field(default=10.0, gt=0, validation_alias=_env("EMBEDDING_TIMEOUT"))
    embedding_retries: int = Field(default=1, ge=0, le=5, validation_alias=_env("EMBEDDING_RETRIES"))

    # Language model (optional): OpenAI or any OpenAI-compatible server.
    llm: bool = Field(default=False, validation_alias=_env("LLM"))
    openai_api_key: SecretStr | None = Field(default=None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=_env("OPENAI_BASE_URL"))
    llm_model: str = Field(default="gpt-4o-mini", validation_alias=_env("LLM_MODEL"))
    # One budget per answer for everything that waits on a model: LLM routing, guidance
    # retrieval (embeddings) and narration together.
    llm_timeout: float = Field(default=8.0, validation_alias=_env("LLM_TIMEOUT"))
    # Low temperature: the narrative rephrases engine facts, it should not be creative.
    llm_temperature: float = Field(default=0.1, ge=0, le=2, validation_alias=_env("LLM_TEMPERATURE"))
    llm_max_tokens: int = Field(default=400, ge=16, le=4096, validation_alias=_env("LLM_MAX_TOKENS"))

    # Slack.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_BOT_TOKEN"))
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=_env("SLACK_APP_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_SIGNING_SECRET")
    )
    slack_client_id: str | None = Field(default=None, validation_alias=_env("SLACK_CLIENT_ID"))
    slack_client_secret: SecretStr | None = Field(
        default=None, validation_alias=_env("SLACK_CLIENT_SECRET")
    )
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=_env("SLACK_API_URL")
    )
    host: str = Field(default="0.0.0.0", validation_alias=_env("HOST"))
    port: int = Field(default=3000, validation_alias=_env("PORT"))

    @model_validator(mode="before")
    @classmethod
    def _accept_home(cls, data: Any) -> Any:
        if isinstance(data, dict) and "home" in data and "home_dir" not in data:
            data = {**data, "home_dir": data.pop("home")}
        return data

    @property
    def home(self) -> Path:
        return self.home_dir

    @property
    def state_url(self) -> str:
        """SQLAlchemy URL of the app-state database (SQLite in `home` by default)."""
        return self.database_url or f"sqlite:///{(self.home / 'state.db').resolve()}"

    @property
    def chroma_dir(self) -> Path:
        return self.chroma_path or self.home / "chroma"

    @property
    def sample_dir(self) -> Path:
        return self.home / "sample"
