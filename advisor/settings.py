"""Settings, read once from the environment and `.env` at the edge (CLI or bot start).

Each setting is read under exactly one name, the one `.env.example` and the README
document: the standard names other tools share (``SLACK_*``, ``OPENAI_*``,
``DATABASE_URL``) bare, every product knob with the ``KPI_ADVISOR_`` prefix. A bare
``HOST``, ``PORT``, ``TIMEZONE`` or ``LLM`` belongs to someone else and is ignored.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from advisor.errors import ConfigError

__all__ = ["Settings", "load_settings", "env_name", "mask_passwords", "describe_settings_error"]

PREFIX = "KPI_ADVISOR_"
MIN_SECRET_LENGTH = 6  # shorter values are masked only where they sit in a URL's password slot
# Names shared with other tools and documented bare.
_STANDARD = ("SLACK_", "OPENAI_")
_STANDARD_NAMES = ("DATABASE_URL",)


def _env(name: str) -> AliasChoices:
    """The one environment name of a setting: ``SLACK_*``, ``OPENAI_*`` and ``DATABASE_URL`` bare,
    everything else ``KPI_ADVISOR_<NAME>``. Use it for every new field."""
    if name.startswith(_STANDARD) or name in _STANDARD_NAMES:
        return AliasChoices(name)
    return AliasChoices(name if name.startswith(PREFIX) else PREFIX + name)


def _split_list(value: Any) -> Any:
    """A JSON list, or comma-separated entries (what people type in a .env file)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise ValueError("starts with '[' but is not a JSON list; write a,b or [\"a\", \"b\"]") from None
        if not isinstance(parsed, list):
            raise ValueError("must be a list of paths")
        return parsed
    return [part.strip() for part in text.split(",") if part.strip()]


PathList = Annotated[list[Path], NoDecode]


class _DocumentedOnly(PydanticBaseSettingsSource):
    """A settings source passing on only values found under a documented (alias) name."""

    def __init__(self, inner: PydanticBaseSettingsSource):
        super().__init__(inner.settings_cls)
        self.inner = inner

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.inner.get_field_value(field, field_name)

    def __call__(self) -> dict[str, Any]:
        names = {env_name(f) for f in self.settings_cls.model_fields}
        return {k: v for k, v in self.inner().items() if k in names}


class Settings(BaseSettings):
    """Every knob of the product; `.env.example` documents each one under its environment name."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    # Where local state lives: SQLite file, Chroma folder, generated sample data.
    home_dir: Path = Field(default=Path(".kpi-advisor"), validation_alias=_env("HOME_DIR"))
    timezone: str = Field(default="UTC", validation_alias=_env("TIMEZONE"))

    # KPI data: a CSV/Parquet file or folder, or a SQL database URL. Neither -> bundled sample.
    data_path: Path | None = Field(default=None, validation_alias=_env("DATA_PATH"))
    data_url: str | None = Field(default=None, validation_alias=_env("DATA_URL"))
    data_mapping: str | None = Field(default=None, validation_alias=_env("DATA_MAPPING"))
    # SQL sources: your table names (posts=social_posts,accounts=page_stats) and their schema
    data_tables: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict, validation_alias=_env("DATA_TABLES"))
    data_schema: str | None = Field(default=None, validation_alias=_env("DATA_SCHEMA"))
    catalog_paths: PathList = Field(default_factory=list, validation_alias=_env("CATALOG_PATHS"))

    # App state (installations, subscriptions, delivery log, conversations).
    database_url: str | None = Field(default=None, validation_alias=_env("DATABASE_URL"))

    # Knowledge base: a local Chroma folder, or a Chroma server.
    chroma_path: Path | None = Field(default=None, validation_alias=_env("CHROMA_PATH"))
    chroma_host: str | None = Field(default=None, validation_alias=_env("CHROMA_HOST"))
    chroma_port: int = Field(default=8000, ge=1, le=65535, validation_alias=_env("CHROMA_PORT"))
    chroma_ssl_verify: str = Field(default="true", validation_alias=_env("CHROMA_SSL_VERIFY"))
    chroma_headers: Annotated[dict[str, SecretStr], NoDecode] = Field(
        default_factory=dict, validation_alias=_env("CHROMA_HEADERS"))
    chroma_tenant: str | None = Field(default=None, validation_alias=_env("CHROMA_TENANT"))
    chroma_database: str | None = Field(default=None, validation_alias=_env("CHROMA_DATABASE"))
    embedder: str = Field(default="lexical", validation_alias=_env("EMBEDDER"))
    embedding_model: str = Field(
        default="text-embedding-3-small", validation_alias=_env("EMBEDDING_MODEL")
    )
    knowledge_dirs: PathList = Field(default_factory=list, validation_alias=_env("KNOWLEDGE_DIRS"))
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
    llm_timeout: float = Field(default=8.0, gt=0, validation_alias=_env("LLM_TIMEOUT"))
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
    port: int = Field(default=3000, ge=1, le=65535, validation_alias=_env("PORT"))

    @classmethod
    def settings_customise_sources(cls, settings_cls: Any, init_settings: Any, env_settings: Any,
                                   dotenv_settings: Any, file_secret_settings: Any) -> tuple[Any, ...]:
        # populate_by_name lets code and tests write Settings(host=...); without this the
        # environment would be searched by field name too, so a bare HOST or LLM would win.
        for source in (env_settings, dotenv_settings):
            source.config = {**source.config, "populate_by_name": False, "validate_by_name": False}
        # A .env file's other lines come through as extras keyed by their own name, and a `host`
        # line would then populate the `host` field by name: keep documented names only.
        return init_settings, env_settings, _DocumentedOnly(dotenv_settings), file_secret_settings

    @model_validator(mode="before")
    @classmethod
    def _accept_home(cls, data: Any) -> Any:
        if isinstance(data, dict) and "home" in data and "home_dir" not in data:
            # Settings(home=...) is an init keyword: it wins over KPI_ADVISOR_HOME_DIR from the environment.
            home = data["home"]
            data = {k: v for k, v in data.items() if k not in ("home", PREFIX + "HOME_DIR")}
            data["home_dir"] = home
        return data

    @field_validator("catalog_paths", "knowledge_dirs", mode="before")
    @classmethod
    def _paths(cls, value: Any) -> Any:
        return _split_list(value)

    @field_validator("data_tables", mode="before")
    @classmethod
    def _data_tables(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = value.strip()
        if text.startswith("{"):
            try:
                parsed = json.loads(text)
            except ValueError:
                raise ValueError('starts with "{" but is not a JSON object; write posts=social_posts') from None
        else:
            parsed = {}
            for part in (p.strip() for p in text.split(",") if p.strip()):
                table, sep, name = part.partition("=")
                if not sep or not table.strip() or not name.strip():
                    raise ValueError(f"'{part}' is not table=name; write posts=social_posts,accounts=page_stats")
                parsed[table.strip()] = name.strip()
        if not isinstance(parsed, dict):
            raise ValueError("must map tables to names, e.g. posts=social_posts")
        unknown = sorted(set(parsed) - {"posts", "accounts", "interactions"})
        if unknown:
            raise ValueError(f"unknown table(s) {', '.join(unknown)}: use posts, accounts, interactions")
        return parsed

    @field_validator("chroma_headers", mode="before")
    @classmethod
    def _headers(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if not value.strip():
            return {}
        try:
            parsed = json.loads(value)
        except ValueError:
            raise ValueError('must be a JSON object, e.g. {"Authorization": "Bearer <token>"}') from None
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise ValueError('must be a JSON object of header names to text values, e.g. {"X-Chroma-Token": "<token>"}')
        return parsed

    @field_validator("chroma_host")
    @classmethod
    def _chroma_host(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if "://" in value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("must be a host name (chroma.internal) or an http:// or https:// URL")
            try:
                parts.port  # noqa: B018 - raises on a non-numeric port
            except ValueError:
                raise ValueError("has a port that is not a number") from None
        elif re.search(r"[\s/]", value):
            raise ValueError("must be a host name (chroma.internal) or an http:// or https:// URL")
        return value

    @field_validator("chroma_ssl_verify")
    @classmethod
    def _ssl_verify(cls, value: str) -> str:
        text = value.strip()
        if text.lower() in ("true", "1", "yes", "on", ""):
            return "true"
        if text.lower() in ("false", "0", "no", "off"):
            return "false"
        if not Path(text).expanduser().is_file():
            raise ValueError("must be true, false or the path of a CA bundle file that exists")
        return text

    @field_validator("slack_api_url", "openai_base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// URL")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("is not a time zone; use an IANA name such as Europe/Berlin or UTC") from None
        return value

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
    def chroma_options(self) -> dict[str, Any]:
        """Connection options of the Chroma server, as `knowledge.ChromaStore` takes them."""
        verify: bool | str = {"true": True, "false": False}.get(self.chroma_ssl_verify, self.chroma_ssl_verify)
        return {
            "headers": {k: v.get_secret_value() for k, v in self.chroma_headers.items()},
            "tenant": self.chroma_tenant, "database": self.chroma_database, "ssl_verify": verify,
        }

    @property
    def sample_dir(self) -> Path:
        return self.home / "sample"

    def secret_values(self) -> list[str]:
        """Every configured secret, for log redaction and message masking: tokens, keys,
        header values and the passwords inside database URLs."""
        out = [v.get_secret_value() for v in vars(self).values() if isinstance(v, SecretStr)]
        out += [v.get_secret_value() for v in self.chroma_headers.values()]
        for url in (self.database_url, self.data_url):
            password = _url_password(url)
            if password:
                out.append(password)
        return [s for s in out if s]


def _url_password(url: str | None) -> str | None:
    """The password of a URL, read leniently (a malformed port or path does not hide it)."""
    if not url or "@" not in url:
        return None
    text = url if "://" in url else "//" + url
    netloc = urlsplit(text).netloc
    userinfo = netloc.rpartition("@")[0]
    return userinfo.partition(":")[2] or None


# user:password@ inside a URL (with or without a scheme); the password runs to the last @
# of the word, so an unencoded @ or / inside it is masked too.
_URL_PASSWORD = re.compile(r"(?P<scheme>\b[a-zA-Z][\w+.-]*://)?(?P<user>[\w.%+~-]+):(?!//)(?P<pw>[^\s'\"`]+)@(?=[\w.\[-])")


def mask_passwords(text: str, secrets: list[str] | tuple[str, ...] = ()) -> str:
    """``text`` with the password of every URL in it, and every string in ``secrets``, masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH:  # a 2-letter "secret" would mask pieces of words
            text = text.replace(secret, "***")
    return _URL_PASSWORD.sub(lambda m: f"{m['scheme'] or ''}{m['user']}:***@", text)


def env_name(field: str) -> str:
    """The environment name of a Settings field (``chroma_port`` -> ``KPI_ADVISOR_CHROMA_PORT``)."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field.upper()


def _name_of(loc: Any) -> str:
    key = str(loc[0]) if loc else "?"
    return env_name(key) if key in Settings.model_fields else key


def _is_secret(name: str) -> bool:
    for field, info in Settings.model_fields.items():
        if env_name(field) == name:
            return "SecretStr" in str(info.annotation) or field in ("database_url", "data_url")
    return False


def describe_settings_error(exc: ValidationError | SettingsError) -> str:
    """One line per bad setting, naming it, saying what is wrong; secrets are never echoed."""
    if isinstance(exc, SettingsError):
        match = re.search(r'field "(\w+)"', str(exc))
        name = env_name(match.group(1)) if match else "a setting"
        return f"{name} could not be read ({exc.__cause__ or exc}). Fix it in the environment or .env (see .env.example)."
    lines = []
    for err in exc.errors():
        name = _name_of(err.get("loc"))
        message = str(err.get("msg", "is not valid")).removeprefix("Value error, ")
        value = err.get("input")
        shown = "" if _is_secret(name) or isinstance(value, dict) else f" (got {mask_passwords(str(value))!r})"
        lines.append(f"{name}{shown}: {message}.")
    return " ".join(lines) + " Fix it in the environment or .env (see .env.example)."


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment and `.env`; a bad value raises ConfigError naming the setting."""
    try:
        return Settings(**overrides)
    except (ValidationError, SettingsError) as exc:
        raise ConfigError(describe_settings_error(exc)) from None
