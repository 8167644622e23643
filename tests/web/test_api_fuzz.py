"""The API against its own OpenAPI description (schemathesis): generated requests, valid and invalid,
never get a server error, and every answer matches what the description says (status, body schema)."""

import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from sqlalchemy import select

from paperboard.community import accounts
from paperboard.community.comments import MAX_COMMENT
from paperboard.storage.schema import comments
from paperboard.web.app import create_app
from paperboard.web.security import Limit

# every answer is described; a value the schema admits may still be refused when it means nothing (a
# 31st of February, a year out of range): refusing it with a described 400 is right, so that check is out
ROUTES_NOT_IDS = {"search"}
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.negative_data_rejection]


@pytest.fixture(scope="module")
def api_schema(populated):
    app = create_app(populated.config, engine=populated.engine, search=populated.search,
                     limits={"write": Limit(10**6, 60)}, fetch_from_arxiv=False, cache_seconds=0)
    with populated.engine.begin() as conn:
        user = accounts.find_user(conn, "fuzzer") or accounts.create_user(conn, "fuzzer", "fuzzing passphrase")
        token = accounts.create_token(conn, user, "schemathesis")
    api = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    return api, {"Authorization": f"Bearer {token}"}


def _check(operation, headers) -> None:
    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(data=st.data())
    def run(data):
        case = data.draw(operation.as_strategy())
        # /api/papers/search is the search itself, as on the Hub: no paper has that id
        assume(not (operation.path == "/api/papers/{paper_id}" and (case.path_parameters or {}).get("paper_id")
                    in ROUTES_NOT_IDS))
        case.call_and_validate(checks=CHECKS, headers=headers)

    run()


def test_every_operation_keeps_its_description(api_schema, populated):
    schema, headers = api_schema
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 8
    failures = []
    for operation in operations:
        try:
            _check(operation, headers)
        except Exception as exc:
            failures.append(f"{operation.label}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
    with populated.engine.connect() as conn:  # nothing invalid was stored on the way
        bodies = conn.execute(select(comments.c.body)).scalars().all()
    assert all(0 < len(b.strip()) <= MAX_COMMENT for b in bodies)
