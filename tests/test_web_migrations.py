"""The Alembic migrations build exactly the schema the models describe, and upgrade an old database."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from shifan.web import db
from shifan.web.db import Base, migrate


def test_migrations_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    migrate(url)
    with create_engine(url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_an_old_database_is_upgraded_in_place(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0001")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO users (username, password_hash, role, display_name, organisation, created_at) VALUES ('a', 'x', 'staff', '甲', '', '2026-01-01')"
            )
        )
    migrate(url)
    assert "must_change_password" in {c["name"] for c in inspect(engine).get_columns("users")}
    with engine.connect() as connection:
        assert connection.execute(text("SELECT username, must_change_password FROM users")).all() == [("a", 0)]


def test_the_newest_migration_goes_down_and_up_again(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "head")
    command.downgrade(config, "0003")
    assert "invitations" in inspect(create_engine(url)).get_table_names()
    assert "checks" not in inspect(create_engine(url)).get_table_names()
    command.downgrade(config, "0002")
    assert "invitations" not in inspect(create_engine(url)).get_table_names()
    command.upgrade(config, "head")
    assert {"invitations", "login_failures", "checks"} <= set(inspect(create_engine(url)).get_table_names())


def test_the_migrations_have_one_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    assert ScriptDirectory.from_config(config).get_heads() == ["0004"]
