"""Bad input never gets a 500 and never changes anything: problem+json, every time."""

from __future__ import annotations

import re

import pytest

from alur import create_app

NOMINATIONS = "/api/v1/training-nominations"


@pytest.fixture
def headers(cast, bearer):
    return bearer(cast.admin)


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.content_type == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def test_malformed_json_is_400(client, headers):
    response = client.post(
        NOMINATIONS,
        headers={**headers, "Content-Type": "application/json"},
        data='{"employee_id": ',
    )
    problem_of(response, 400)


def test_wrong_types_and_unknown_fields_are_422_with_field_errors(client, headers, cast):
    body = problem_of(
        client.post(
            NOMINATIONS,
            headers=headers,
            json={"employee_id": "seven", "program_id": cast.program.id, "colour": "red"},
        ),
        422,
    )
    assert set(body["errors"]) == {"employee_id", "colour"}


def test_a_json_array_instead_of_an_object_is_refused(client, headers):
    problem_of(client.post(NOMINATIONS, headers=headers, json=[1, 2, 3]), 422)


def test_oversized_body_is_413(client, headers):
    big = {"employee_id": 1, "program_id": 1, "justification": "x" * (3 * 1024 * 1024)}
    problem_of(client.post(NOMINATIONS, headers=headers, json=big), 413)


@pytest.mark.parametrize(
    "path",
    [
        f"{NOMINATIONS}/999999",
        f"{NOMINATIONS}/99999999999999",
        f"{NOMINATIONS}/abc",
        f"{NOMINATIONS}/0",
        "/api/v1/employees/2147483648",
        "/api/v1/nowhere",
    ],
)
def test_unknown_ids_and_paths_are_404(client, headers, path):
    problem_of(client.get(path, headers=headers), 404)


def test_wrong_method_is_405_with_allow(client, headers):
    response = client.delete(NOMINATIONS, headers=headers)
    problem_of(response, 405)
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=5000",
        "limit=x",
        "cursor=%%%",
        "cursor=WzFd",
        "state[]=a&bogus=1",
        "agency_id=-3",
    ],
)
def test_bad_query_parameters_are_422(client, headers, query):
    problem_of(client.get(f"{NOMINATIONS}?{query}", headers=headers), 422)


def test_bad_inbox_cursor_is_422(client, headers):
    problem_of(client.get("/api/v1/inbox?cursor=bm9wZQ", headers=headers), 422)


def test_invalid_nip_names_the_reason(client, headers, cast):
    body = problem_of(
        client.post(
            "/api/v1/employees",
            headers=headers,
            json={
                "nip": "198503122010013003",
                "name": "X",
                "status": "PNS",
                "rank": "III/a",
                "position": "Analis",
                "unit_id": cast.subject_employee.unit_id,
            },
        ),
        422,
    )
    assert "gender" in body["errors"]["nip"][0]


def test_a_rank_that_does_not_fit_the_status_is_422_also_in_a_patch(client, headers, cast):
    path = f"/api/v1/employees/{cast.subject_employee.id}"
    body = problem_of(client.patch(path, headers=headers, json={"rank": "IX"}), 422)
    assert "rank" in body["errors"]


def test_duplicate_code_is_409(client, headers, cast):
    problem_of(
        client.post(
            "/api/v1/agencies",
            headers=headers,
            json={"code": cast.agency.code, "name": "Dup", "province": "Maluku", "region": "Ambon"},
        ),
        409,
    )


def test_bulk_takes_at_most_10000_items(client, headers):
    items = [{"id": 1, "trigger": "review"}] * 10_001
    body = problem_of(
        client.post(f"{NOMINATIONS}/transitions", headers=headers, json={"items": items}), 422
    )
    assert "items" in body["errors"]


def test_outside_the_api_errors_stay_html(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")


def test_too_many_requests_is_429_with_retry_after(app, database_url):  # app: the schema
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "API_RATE_LIMIT": "2/minute"}
    )
    client = app.test_client()
    headers = {"Authorization": "Bearer alur_rate-limit-probe"}
    statuses = [client.get("/api/v1/inbox", headers=headers).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    response = client.get("/api/v1/inbox", headers=headers)
    problem_of(response, 429)
    assert int(response.headers["Retry-After"]) > 0
    # made-up tokens are counted by address: another one is no new allowance
    other = client.get("/api/v1/inbox", headers={"Authorization": "Bearer alur_another"})
    assert other.status_code == 429


def test_openapi_document_and_offline_reference(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/{collection}".replace("{collection}", "appraisals") in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/inbox" in html and "TrainingNominationCreate" in html
    assert not re.search(r"""(src|href)=["']https?://""", html), "no CDN: works offline"


def test_nul_characters_are_refused_everywhere(session, client, headers, cast):
    from tests.factories import new_record
    from tests.workflow_paths import bring_to

    problem_of(
        client.post(
            "/api/v1/agencies",
            headers=headers,
            json={"code": "X", "name": "X", "province": "X", "region": "\u0000"},
        ),
        422,
    )
    record = bring_to(new_record(session, cast, "training_nomination"), "submitted")
    path = f"{NOMINATIONS}/{record.id}/transitions"
    body = problem_of(
        client.post(path, headers=headers, json={"trigger": "return", "comment": "a\u0000b"}), 422
    )
    assert "comment" in body["errors"]
    problem_of(client.get("/api/v1/appraisals?period=%00", headers=headers), 422)
    problem_of(
        client.post(
            f"{NOMINATIONS}/{record.id}/transitions",
            headers={**headers, "Idempotency-Key": "k\u0007"},
            json={"trigger": "review"},
        ),
        422,
    )
