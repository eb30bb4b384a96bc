"""The workbench on PostgreSQL: the migrations build the models' schema there too, and the main
flows (save and re-check, conflicts, reviews, the recommendation job, the audit log) run against a
throwaway PostgreSQL cluster exactly as they do on SQLite.

Needs the PostgreSQL server binaries (bash scripts/setup.sh installs them); without them the tests
are skipped, except under CI (CI=true), where they fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from tests.test_web_dashboard_filters import (
    test_a_keyword_is_literal_text_matched_case_insensitively,
    test_bad_query_values_show_the_unfiltered_table,
    test_each_filter_narrows_the_table,
    test_paging_links_and_forms_keep_the_filters,
    test_stale_reviews_are_counted_in_their_own_round_only,
    test_the_totals_and_the_by_city_table_are_the_whole_round,
    varied,
)
from tests.test_web_evidence import test_a_stale_form_deletes_nothing, test_an_applicant_deletes_an_evidence_file
from tests.test_web_flows import (
    test_a_saved_form_is_rechecked_with_errors_beside_their_fields,
    test_every_change_is_in_the_audit_log_with_digests,
    test_review_reconciliation_and_staleness,
    test_submit_makes_the_application_read_only_until_staff_reopen_it,
    test_the_recommendation_list_is_the_one_shifan_recommend_makes,
    test_the_self_report_pdf_is_made_in_the_background,
    test_two_editors_get_a_conflict_not_a_silent_overwrite,
)
from tests.test_web_invitations import test_an_expired_link_is_refused_in_chinese, test_an_invitation_link_works_once
from tests.test_web_round_checks import test_the_same_applicant_twice_is_a_blocking_preflight_problem
from tests.web.helpers import small_world
from tests.web.postgres import Cluster, postgres_cluster

from shifan.web.db import Base, migrate

pytestmark = pytest.mark.slow

# Flows of the other workbench tests, collected here again with ``world`` on PostgreSQL.
__all__ = [
    "test_a_keyword_is_literal_text_matched_case_insensitively",
    "test_a_saved_form_is_rechecked_with_errors_beside_their_fields",
    "test_a_stale_form_deletes_nothing",
    "test_an_applicant_deletes_an_evidence_file",
    "test_an_expired_link_is_refused_in_chinese",
    "test_an_invitation_link_works_once",
    "test_bad_query_values_show_the_unfiltered_table",
    "test_each_filter_narrows_the_table",
    "test_every_change_is_in_the_audit_log_with_digests",
    "test_paging_links_and_forms_keep_the_filters",
    "test_review_reconciliation_and_staleness",
    "test_stale_reviews_are_counted_in_their_own_round_only",
    "test_submit_makes_the_application_read_only_until_staff_reopen_it",
    "test_the_recommendation_list_is_the_one_shifan_recommend_makes",
    "test_the_same_applicant_twice_is_a_blocking_preflight_problem",
    "test_the_self_report_pdf_is_made_in_the_background",
    "test_the_totals_and_the_by_city_table_are_the_whole_round",
    "test_two_editors_get_a_conflict_not_a_silent_overwrite",
    "varied",
]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with postgres_cluster() as running:
        yield running


@pytest.fixture
def world(tmp_path: Path, cluster: Cluster) -> Any:
    app = small_world(tmp_path / "ws", database=cluster.database())
    yield app
    app.state.shifan.jobs.shutdown(wait=True)  # type: ignore[attr-defined]
    app.state.shifan.db.engine.dispose()  # type: ignore[attr-defined]


def test_migrations_match_the_models_on_postgresql(cluster: Cluster) -> None:
    url = cluster.database()
    migrate(url)
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []


def test_the_newest_migration_goes_down_and_up_again_on_postgresql(cluster: Cluster) -> None:
    from alembic import command
    from alembic.config import Config

    from shifan.web import db

    config = Config()
    config.set_main_option("script_location", str(Path(db.__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", cluster.database())
    command.upgrade(config, "head")
    command.downgrade(config, "0003")
    command.downgrade(config, "0002")
    command.upgrade(config, "head")


def test_long_and_odd_input_is_refused_or_cut_not_a_server_error(world: Any) -> None:
    """PostgreSQL enforces column lengths and refuses NUL characters, which SQLite lets through."""
    from starlette.testclient import TestClient
    from tests.web.helpers import PASSWORD, csrf_of, login, post

    client = TestClient(world, follow_redirects=False)
    token = csrf_of(client)
    for username in ["用户" * 200, "staff\x00", "x\x00" * 10]:
        response = client.post("/login", data={"username": username, "password": "x", "csrf": token})
        assert response.status_code == 401, response.text[:500]
    staff = login(world, "staff", PASSWORD)
    response = post(
        staff,
        "/staff/rounds/1/applicants",
        {"name": "很长的名称" * 100, "kind": "institution", "city": "市" * 300, "username": "long-one"},
    )
    assert response.status_code == 400 and "过长" in response.text  # type: ignore[attr-defined]
    response = post(staff, "/staff/rounds", {"name": "批次" * 200, "as_of": "2025-12-31", "quota": "3"})
    assert response.status_code == 400 and "过长" in response.text  # type: ignore[attr-defined]


def test_without_the_server_binaries_ci_fails_instead_of_skipping(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.web import postgres

    monkeypatch.setattr(postgres, "server_binaries", lambda: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL"):
        postgres.require_binaries()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        postgres.require_binaries()


def test_login_throttling_is_shared_through_postgresql(tmp_path: Path, cluster: Cluster) -> None:
    from starlette.testclient import TestClient
    from tests.web.helpers import csrf_of

    from shifan.web import Settings, create_app

    url = cluster.database()
    apps = [create_app(Settings(tmp_path / name, database=url)) for name in ("a", "b")]
    clients = [TestClient(app, follow_redirects=False) for app in apps]
    tokens = [csrf_of(client) for client in clients]
    codes = [
        clients[i % 2].post("/login", data={"username": "nobody", "password": "x", "csrf": tokens[i % 2]}).status_code
        for i in range(7)
    ]
    assert codes == [401] * 5 + [429, 429]
    for app in apps:
        app.state.shifan.db.engine.dispose()
