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
    assert load_config({}).search_url == ""  # the embedded index
    assert load_config({"PAPERBOARD_SEARCH_URL": "http://milvus:19530"}).search_url == "http://milvus:19530"
    assert load_config({"PAPERBOARD_SEARCH_URL": "/srv/pb/milvus.db"}).search_url == "/srv/pb/milvus.db"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PAPERBOARD_BATCH_SIZE", "0", "at least 1"),
    ("PAPERBOARD_ARXIV_RETRIES", "many", "not a int"),
    ("PAPERBOARD_ARXIV_DELAY", "-1", "at least 0"),
    ("PAPERBOARD_SEARCH_URL", "milvus-host:19530", "expected http://host:19530"),  # no scheme
    ("PAPERBOARD_SEARCH_URL", "ftp://host/x", "expected http://host:19530"),
])
def test_bad_values_say_which_variable(name, value, message):
    with pytest.raises(ConfigError, match=f"{name}=.*{message}"):
        load_config({name: value})


def test_the_database_and_the_secret_key_are_readable_by_their_owner_only(tmp_path):
    import os
    import stat

    from paperboard.storage.engine import open_database

    old = os.umask(0o022)  # the usual umask would leave both readable by everyone
    try:
        config = load_config({}, data_dir=str(tmp_path / "data"))
        engine = open_database(config.database_url)
        engine.dispose()
        config.signing_key()
    finally:
        os.umask(old)
    for path in (tmp_path / "data" / "paperboard.sqlite3", tmp_path / "data" / "secret_key"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) & 0o077 == 0
    (tmp_path / "data" / "secret_key").chmod(0o644)  # loosened by hand: tightened again on use
    config.signing_key()
    assert stat.S_IMODE((tmp_path / "data" / "secret_key").stat().st_mode) == 0o600
