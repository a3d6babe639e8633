"""Settings are read under their documented names only, parsed the way people type them, and every
bad value is one sentence naming the setting (and never echoing a secret)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from advisor.errors import ConfigError
from advisor.settings import Settings, env_name, load_settings, mask_passwords

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("field,bare,value,prefixed_value", [
    ("host", "HOST", "myworkstation", "127.0.0.1"),
    ("port", "PORT", "80", "3001"),
    ("timezone", "TIMEZONE", "Asia/Tokyo", "Europe/Berlin"),
    ("data_path", "DATA_PATH", "/elsewhere", "/data/exports"),
    ("llm", "LLM", "1", "true"),
])
def test_bare_names_belong_to_someone_else(monkeypatch, field, bare, value, prefixed_value):
    monkeypatch.setenv(bare, value)
    default = Settings.model_fields[field].get_default(call_default_factory=True)
    assert getattr(load_settings(), field) == default  # a bare HOST/PORT/LLM... is ignored
    monkeypatch.setenv(f"KPI_ADVISOR_{bare}", prefixed_value)
    got = getattr(load_settings(), field)
    assert str(got).lower() == str(Settings(**{field: prefixed_value}).model_dump()[field]).lower()
    assert got != default


def test_the_same_rule_holds_in_a_dotenv_file(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("HOST=myworkstation\nLLM=1\nKPI_ADVISOR_PORT=3005\nSLACK_BOT_TOKEN=xoxb-env-file\n")
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert (s.host, s.llm, s.port) == ("0.0.0.0", False, 3005)
    assert s.slack_bot_token.get_secret_value() == "xoxb-env-file"


def test_standard_names_are_read_bare_only(monkeypatch):
    monkeypatch.setenv("KPI_ADVISOR_SLACK_BOT_TOKEN", "xoxb-prefixed")
    monkeypatch.setenv("KPI_ADVISOR_DATABASE_URL", "sqlite:///prefixed.db")
    s = load_settings()
    assert s.slack_bot_token is None and s.database_url is None
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-bare")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///bare.db")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    s = load_settings()
    assert s.slack_bot_token.get_secret_value() == "xoxb-bare" and s.database_url == "sqlite:///bare.db"
    assert s.openai_base_url == "http://127.0.0.1:8080/v1"


def test_init_keywords_still_work_for_code_and_tests(tmp_path):
    s = Settings(home=tmp_path, host="h", port=5, llm=True, slack_bot_token="xoxb-1")
    assert (s.home, s.host, s.port, s.llm) == (tmp_path, "h", 5, True)


@pytest.mark.parametrize("name,field", [("KPI_ADVISOR_CATALOG_PATHS", "catalog_paths"),
                                        ("KPI_ADVISOR_KNOWLEDGE_DIRS", "knowledge_dirs")])
@pytest.mark.parametrize("raw,expected", [
    ("team.yaml", ["team.yaml"]),
    ("team.yaml, more/extra.yaml,", ["team.yaml", "more/extra.yaml"]),
    ('["team.yaml", "more/extra.yaml"]', ["team.yaml", "more/extra.yaml"]),
    ("", []),
])
def test_path_lists_accept_commas_and_json(monkeypatch, name, field, raw, expected):
    monkeypatch.setenv(name, raw)
    assert [str(p) for p in getattr(load_settings(), field)] == expected


@pytest.mark.parametrize("name,value,says", [
    ("KPI_ADVISOR_CHROMA_PORT", "eight-thousand", "valid integer"),
    ("KPI_ADVISOR_PORT", "70000", "less than or equal to 65535"),
    ("KPI_ADVISOR_CATALOG_PATHS", '["team.yaml"', "not a JSON list"),
    ("KPI_ADVISOR_CHROMA_HEADERS", "Authorization: Bearer abc", "JSON object"),
    ("KPI_ADVISOR_CHROMA_HOST", "ftp://chroma", "http:// or https:// URL"),
    ("KPI_ADVISOR_CHROMA_HOST", "https://chroma:port", "port that is not a number"),
    ("KPI_ADVISOR_CHROMA_SSL_VERIFY", "/no/such/ca.pem", "CA bundle"),
    ("KPI_ADVISOR_TIMEZONE", "Berlin", "IANA name"),
    ("KPI_ADVISOR_LLM", "maybe", "valid boolean"),
    ("KPI_ADVISOR_LLM_TIMEOUT", "-3", "greater than 0"),
    ("SLACK_API_URL", "slack.com/api", "http:// or https:// URL"),
])
def test_a_bad_value_is_one_sentence_naming_the_setting(monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(name) and says in message and "\n" not in message
    assert ".env.example" in message


def test_secrets_are_never_echoed_in_a_settings_error(monkeypatch):
    monkeypatch.setenv("KPI_ADVISOR_CHROMA_HEADERS", '{"Authorization": ["Bearer s3cr3t-header"]}')
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert "s3cr3t-header" not in str(info.value) and "KPI_ADVISOR_CHROMA_HEADERS" in str(info.value)


def test_secret_values_cover_tokens_headers_and_database_passwords():
    s = Settings(slack_bot_token="xoxb-T1-abc", chroma_headers='{"X-Chroma-Token": "chroma-tok"}',
                 database_url="postgresql+psycopg://kpi:state-pw@db:5432/state",
                 data_url="kpi:data-pw@warehouse:notaport/w")  # malformed, its password still known
    assert {"xoxb-T1-abc", "chroma-tok", "state-pw", "data-pw"} <= set(s.secret_values())
    assert s.chroma_options["headers"] == {"X-Chroma-Token": "chroma-tok"}


@pytest.mark.parametrize("text,hidden", [
    ("Cannot connect to postgresql+psycopg://kpi:s3cr3t@db:5432/w: refused", "s3cr3t"),
    ("'kpi:s3cr3t@db.example/warehouse' is not a database URL", "s3cr3t"),
    ("mysql://root:p@ss/w0rd@db/x", "p@ss/w0rd"),
])
def test_mask_passwords(text, hidden):
    masked = mask_passwords(text)
    assert hidden not in masked and ":***@" in masked
    for untouched in ("at 09:00 write to maria@example.com", "use postgresql+psycopg://user@host:5432/db"):
        assert mask_passwords(untouched) == untouched


def _documented_names(text: str) -> set[str]:
    return set(re.findall(r"\b((?:KPI_ADVISOR|SLACK|OPENAI)_[A-Z_]+|DATABASE_URL)\b", text))


def test_every_setting_is_documented_in_env_example_and_readme():
    names = {env_name(f) for f in Settings.model_fields}
    example = _documented_names((ROOT / ".env.example").read_text())
    readme = _documented_names((ROOT / "README.md").read_text())
    assert names - example == set(), "add these to .env.example"
    assert names - readme == set(), "add these to the README's configuration section"
    assert example - names == set(), ".env.example documents settings that are not read"


def test_env_name_follows_the_documented_rule():
    assert env_name("chroma_port") == "KPI_ADVISOR_CHROMA_PORT"
    assert env_name("slack_bot_token") == "SLACK_BOT_TOKEN"
    assert env_name("database_url") == "DATABASE_URL"
    assert env_name("openai_api_key") == "OPENAI_API_KEY"
