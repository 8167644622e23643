from pathlib import Path

import pytest

from paperboard.config import SETTINGS, ConfigError, load_config

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme():
    text = README.read_text()
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in text and f"`{s.env}` (" not in text]
    assert not missing, f"settings missing from README.md's configuration table: {missing}"


def test_defaults_and_overrides(tmp_path):
    config = load_config({"PAPERBOARD_DATA_DIR": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'paperboard.sqlite3'}"
    assert config.arxiv_delay == 3.0 and config.batch_size == 5000
    other = load_config({"PAPERBOARD_DATA_DIR": str(tmp_path), "PAPERBOARD_ARXIV_DELAY": "0.5"},
                        database_url="postgresql://x@y/z")
    assert other.database_url == "postgresql://x@y/z" and other.arxiv_delay == 0.5


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PAPERBOARD_BATCH_SIZE", "0", "at least 1"),
    ("PAPERBOARD_ARXIV_RETRIES", "many", "not a int"),
    ("PAPERBOARD_ARXIV_DELAY", "-1", "at least 0"),
])
def test_bad_values_say_which_variable(name, value, message):
    with pytest.raises(ConfigError, match=f"{name}=.*{message}"):
        load_config({name: value})
