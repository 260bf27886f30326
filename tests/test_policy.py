"""The one policy, as a table; and every write path of the back office and the API asking it.

The matrix names, for each kind of object of one agency, who of admin, the
agency's HR officer, another agency's HR officer, the employee's supervisor and
the employee may see, create, change and delete it. The walkers take every
registered back-office view and every API route that writes, as the HR officer
of another agency, and show that nothing in the database changes.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_admin.contrib.sqla import ModelView
from sqlalchemy import func, select

from alur.api.plans import PERIOD_CHOICES
from tests import factories
from tests.backoffice import csrf, log_in, text
from tests.factories import new_record
from workflow import changes, delegation, fire, periods, policy, realisation, tokens, webhooks
from workflow.db import db, local_today, write_transaction
from workflow.models import (
    Agency,
    ApiToken,
    Appraisal,
    AuditEntry,
    ChangeEntry,
    Delegation,
    DevelopmentBudget,
    Employee,
    Holiday,
    Role,
    RoleName,
    Subscription,
    TrainingProgram,
    Unit,
    User,
    WebhookClient,
    user_roles,
)
from workflow.policy import Action

ROLES = ("admin", "hr", "hr_other", "supervisor", "subject")
ALL = set(ROLES)
ADMIN = {"admin"}
ADMIN_HR = {"admin", "hr"}
S, C, U, D = Action.SEE, Action.CREATE, Action.CHANGE, Action.DELETE

# object -> action -> who may (for an object of the cast's agency)
MATRIX = {
    "agency": {S: ALL, C: ADMIN, U: ADMIN, D: set()},
    "unit": {S: ALL, C: ADMIN_HR, U: ADMIN_HR, D: set()},
    "employee": {S: {"admin", "hr", "supervisor", "subject"}, C: ADMIN_HR, U: ADMIN_HR, D: set()},
    "program": {S: ALL, C: ADMIN_HR, U: ADMIN_HR, D: set()},
    "national program": {S: ALL, C: ADMIN, U: ADMIN, D: set()},
    "budget": {S: ADMIN_HR, C: ADMIN, U: ADMIN, D: set()},
    "delegation": {S: ADMIN_HR, C: ADMIN_HR, U: ADMIN_HR, D: set()},
    "period": {S: ADMIN_HR, C: ADMIN_HR, U: ADMIN_HR, D: set()},
    "holiday": {S: ALL, C: ADMIN, U: ADMIN, D: ADMIN},
    "user": {S: {"admin", "subject"}, C: ADMIN, U: ADMIN, D: set()},
    "token": {S: {"admin", "subject"}, C: {"admin", "subject"}, U: {"admin", "subject"}, D: set()},
    "webhook client": {S: ADMIN, C: ADMIN, U: ADMIN, D: set()},
    "subscription": {S: ADMIN, C: ADMIN, U: ADMIN, D: set()},
    "appraisal": {S: {"admin", "hr", "supervisor", "subject"}, C: set(), U: set(), D: set()},
    "audit entry": {S: ADMIN, C: set(), U: set(), D: set()},
    "change entry": {S: ADMIN, C: set(), U: set(), D: set()},
}


@pytest.fixture
def world(session, cast):
    """One object of every kind in the cast's agency (and a national program)."""
    unit = session.get(Unit, cast.subject_employee.unit_id)
    national = factories.program(session)
    local = factories.program(session)
    local.agency_id = cast.agency.id
    token, _ = tokens.issue(session, cast.subject, "own")
    session.add(Holiday(day=date(2026, 12, 25), name="Hari Raya Natal"))
    session.commit()
    row = delegation.delegate(
        session,
        cast.hr,
        principal_id=cast.manager.employee_id,
        delegate_id=cast.colleague.employee_id,
        starts_on=local_today(),
        ends_on=local_today() + timedelta(days=3),
        via="api",
    )
    with write_transaction(session):
        client = webhooks.add_client(session, "siasn", ["appraisal.submit"])
        subscription = webhooks.add_subscription(session, "http://127.0.0.1:9/x", ["*"])
    appraisal = new_record(session, cast, "appraisal")
    plan = new_record(session, cast, "skp_plan")
    agreed = new_record(session, cast, "skp_plan", year=2027)
    agreed = fire(fire(agreed, "submit", None, via="system"), "approve", None, via="system")
    realised = realisation.record(
        session, None, agreed.items[0].id, "Q1", value="3 laporan", via="system"
    )
    period = periods.define(
        session, cast.hr, agency_id=cast.agency.id, year=2026, kind="annual", via="api"
    )
    return {
        "agency": cast.agency,
        "skp_plan": plan,
        "agreed_plan": agreed,
        "realisation": realised,
        "unit": unit,
        "employee": cast.subject_employee,
        "program": local,
        "national program": national,
        "budget": session.scalar(
            select(DevelopmentBudget).where(DevelopmentBudget.agency_id == cast.agency.id)
        ),
        "delegation": row,
        "period": period,
        "holiday": session.get(Holiday, date(2026, 12, 25)),
        "user": cast.subject,
        "token": token,
        "webhook client": client,
        "subscription": subscription,
        "appraisal": appraisal,
        "audit entry": session.scalar(select(AuditEntry)),
        "change entry": session.scalar(select(ChangeEntry)),
    }


@pytest.mark.parametrize("kind", MATRIX)
def test_the_policy_answers_as_its_table_says(session, cast, world, kind):
    row = world[kind]
    actors = {role: getattr(cast, role) for role in ROLES}
    answers = {
        action: {role for role, actor in actors.items() if policy.may(actor, action, row)}
        for action in Action
    }
    assert answers == MATRIX[kind]


def test_every_model_has_a_rule_of_the_policy():
    assert set(db.Model.registry._class_registry.values()) >= set(policy.RULES)
    mapped = {m.class_ for m in db.Model.registry.mappers}
    assert mapped <= set(policy.RULES), "a model without a rule: add it to policy.RULES"


def test_outside_the_agency_a_refusal_reads_as_not_found(session, cast, world):
    employee = world["employee"]
    with pytest.raises(Exception) as refused:
        policy.check(cast.hr_other, Action.CHANGE, employee)
    with pytest.raises(Exception) as missing:
        policy.check(cast.hr_other, Action.CHANGE, Employee(id=employee.id + 10_000))
    assert type(refused.value) is type(missing.value)
    assert refused.value.code == "not_found"
    assert str(refused.value).replace(str(employee.id), "N") == str(missing.value).replace(
        str(employee.id + 10_000), "N"
    )


# -- the back office -------------------------------------------------------------------


def _everything(session) -> dict:
    """Every row of every table, to show that nothing changed."""
    session.rollback()
    return {
        table.name: sorted(map(repr, session.execute(select(table)).all()))
        for table in db.metadata.sorted_tables
    }


def _model_views(app) -> list[ModelView]:
    return [v for v in app.extensions["admin"][0]._views if isinstance(v, ModelView)]


def _key_of(row) -> str:
    key = row.__mapper__.primary_key[0].key
    value = getattr(row, key)
    return value.isoformat() if isinstance(value, date) else str(value)


def test_no_back_office_view_lets_another_agencys_hr_officer_write(
    app, client, session, cast, world
):
    by_model = {type(row): row for row in world.values() if row is not None}
    by_model[Appraisal] = world["appraisal"]
    log_in(client, session, cast.hr_other)
    token = csrf(text(client.get("/admin/unit/new/")))
    target = {
        "agency": cast.agency.id,
        "unit": world["unit"].id,
        "parent": world["unit"].id,
        "code": "ZZ-1",
        "name": "Disusupkan",
        "nip": "198001012005011001",
        "principal": cast.manager.employee_id,
        "delegate": cast.colleague.employee_id,
        "employee": cast.subject_employee.id,
        "kind": "Plh",
        "day": "2026-12-26",
        "starts_on": local_today().isoformat(),
        "ends_on": local_today().isoformat(),
        "year": "2026",
        "amount": "1",
        "csrf_token": token,
    }
    before = _everything(session)
    walked = []
    for view in _model_views(app):
        row = by_model.get(view.model)
        key = _key_of(row) if row is not None else "1"
        base = view.url
        answers = [
            client.post(f"{base}/delete/", data={"id": key, "csrf_token": token}),
            client.post(
                f"{base}/action/", data={"action": "delete", "rowid": key, "csrf_token": token}
            ),
            *(
                client.post(
                    f"{base}/action/",
                    data={"action": name, "rowid": key, "comment": "x", "csrf_token": token},
                )
                for name, _label in view._actions
            ),  # every bulk action of the view: approve, revoke, rotate, redeliver…
            client.post(f"{base}/edit/?id={key}", data=target),
            client.post(f"{base}/new/", data=target),
            client.post(
                f"{base}/ajax/update/",
                data={"list_form_pk": key, "name": "Disusupkan", "csrf_token": token},
            ),
        ]
        assert all(a.status_code < 500 for a in answers), view.endpoint
        walked.append(view.endpoint)
    assert _everything(session) == before
    assert len(walked) >= 20  # every view of the back office was tried


def test_an_allowed_back_office_delete_is_logged_and_one_of_another_kind_is_offered_nowhere(
    app, client, session, cast, world
):
    deletable = [v.endpoint for v in _model_views(app) if type(v).can_delete is not False]
    assert deletable == ["holiday"]
    log_in(client, session, cast.admin)
    page = text(client.get("/admin/holiday/"))
    client.post("/admin/holiday/delete/", data={"id": "2026-12-25", "csrf_token": csrf(page)})
    session.rollback()
    assert session.get(Holiday, date(2026, 12, 25)) is None
    entry = session.scalars(select(ChangeEntry).where(ChangeEntry.model == "holidays")).all()[-1]
    assert (entry.action, entry.actor_id, entry.via) == ("delete", cast.admin.id, "admin")
    assert entry.before["name"] == "Hari Raya Natal"


def test_back_office_edits_of_reference_data_are_logged_with_before_and_after(
    client, session, cast, world
):
    log_in(client, session, cast.hr)
    unit = world["unit"]
    old_name = unit.name
    page = text(client.get(f"/admin/unit/edit/?id={unit.id}"))
    client.post(
        f"/admin/unit/edit/?id={unit.id}",
        data={
            "agency": cast.agency.id,
            "code": unit.code,
            "name": "Bidang Baru",
            "csrf_token": csrf(page),
        },
    )
    session.rollback()
    entry = session.scalars(select(ChangeEntry).where(ChangeEntry.model == "units")).all()[-1]
    assert (entry.action, entry.actor_id, entry.via) == ("update", cast.hr.id, "admin")
    assert entry.after == {"name": "Bidang Baru"} and entry.before["name"] == old_name


# -- the API ---------------------------------------------------------------------------


def _api_writes(app) -> dict[str, tuple[str, str]]:
    found = {}
    for rule in app.url_map.iter_rules():
        methods = rule.methods & {"POST", "PATCH", "PUT", "DELETE"}
        if rule.rule.startswith("/api/") and methods:
            for method in methods:
                found[f"{method} {rule.rule}"] = (method, rule.endpoint)
    return found


def _attacks(cast, world) -> dict[str, tuple[str, dict]]:
    """For each write route: a path at the cast's agency's rows and a body aimed at it."""
    a, unit, emp = cast.agency.id, world["unit"].id, cast.subject_employee.id
    appraisal, prog = world["appraisal"].id, world["program"].id
    int_ = "<int(min=1, max=2147483647):"
    unit_body = {"agency_id": a, "code": "ZZ-1", "name": "Disusupkan"}
    emp_body = {
        "nip": "198001012005011001",
        "name": "Disusupkan",
        "status": "PNS",
        "rank": "III/a",
        "position": "Staf",
        "unit_id": unit,
    }
    prog_body = {
        "code": "ZZ-P",
        "name": "Disusupkan",
        "form": "pelatihan",
        "delivery_mode": "daring",
        "organiser": "X",
        "agency_id": a,
        "jp": 10,
        "start_date": "2026-01-01",
        "end_date": "2026-01-02",
        "seat_quota": 1,
        "cost_per_participant": 1,
    }
    records = {}
    for coll, body, rec in (
        ("training-nominations", {"employee_id": emp, "program_id": prog}, appraisal),
        (
            "mentoring-assignments",
            {"mentor_id": cast.mentor.employee_id, "mentee_id": emp},
            appraisal,
        ),
        ("appraisals", {"employee_id": emp, "year": 2027}, appraisal),
        ("skp-plans", {"employee_id": emp, "year": 2027}, world["skp_plan"].id),
    ):
        records[f"POST /api/v1/{coll}"] = (f"/api/v1/{coll}", body)
        records[f"PATCH /api/v1/{coll}/{int_}record_id>"] = (
            f"/api/v1/{coll}/{rec}",
            {"comment": "x"},
        )
        records[f"POST /api/v1/{coll}/{int_}record_id>/transitions"] = (
            f"/api/v1/{coll}/{rec}/transitions",
            {"trigger": "submit"},
        )
        bulk = {"items": [{"id": rec, "trigger": "submit"}]}
        records[f"POST /api/v1/{coll}/transitions"] = (f"/api/v1/{coll}/transitions", bulk)
    return {
        "POST /api/v1/agencies": (
            "/api/v1/agencies",
            {"code": "ZZ", "name": "X", "province": "X", "region": "X"},
        ),
        f"PATCH /api/v1/agencies/{int_}row_id>": (f"/api/v1/agencies/{a}", {"name": "X"}),
        "POST /api/v1/units": ("/api/v1/units", unit_body),
        f"PATCH /api/v1/units/{int_}row_id>": (f"/api/v1/units/{unit}", {"name": "X"}),
        "POST /api/v1/employees": ("/api/v1/employees", emp_body),
        f"PATCH /api/v1/employees/{int_}row_id>": (f"/api/v1/employees/{emp}", {"name": "X"}),
        "POST /api/v1/training-programs": ("/api/v1/training-programs", prog_body),
        f"PATCH /api/v1/training-programs/{int_}row_id>": (
            f"/api/v1/training-programs/{prog}",
            {"name": "X"},
        ),
        **records,
        "POST /api/v1/webhooks/<string:client>": ("/api/v1/webhooks/siasn", {}),
        "POST /api/v1/subscriptions": (
            "/api/v1/subscriptions",
            {"url": "http://127.0.0.1:9/y", "event_types": ["*"]},
        ),
        f"PATCH /api/v1/subscriptions/{int_}sub_id>": (
            f"/api/v1/subscriptions/{world['subscription'].id}",
            {"active": False},
        ),
        f"POST /api/v1/subscriptions/{int_}sub_id>/redeliver-dead": (
            f"/api/v1/subscriptions/{world['subscription'].id}/redeliver-dead",
            {},
        ),
        f"POST /api/v1/webhook-deliveries/{int_}delivery_id>/redeliver": (
            "/api/v1/webhook-deliveries/1/redeliver",
            {},
        ),
        "PUT /api/v1/organisation-ratings/<int(min=1, max=2147483647):agency_id>/"
        "<int(min=2000, max=2100):year>/<period>": (
            f"/api/v1/organisation-ratings/{a}/2026/annual",
            {"rating": "Baik"},
        ),
        "POST /api/v1/delegations": (
            "/api/v1/delegations",
            {
                "principal_id": cast.manager.employee_id,
                "delegate_id": cast.subject_employee.id,
                "kind": "Plh",
                "starts_on": local_today().isoformat(),
                "ends_on": local_today().isoformat(),
            },
        ),
        f"DELETE /api/v1/delegations/{int_}item_id>": (
            f"/api/v1/delegations/{world['delegation'].id}",
            {},
        ),
        "POST /api/v1/periods": ("/api/v1/periods", {"agency_id": a, "year": 2027}),
        f"POST /api/v1/skp-plans/{int_}item_id>/feedback": (
            f"/api/v1/skp-plans/{world['agreed_plan'].id}/feedback",
            {"core_value": "loyal", "note": "Disusupkan"},
        ),
        f"PUT /api/v1/rhk/{int_}item_id>/realisations/<any({PERIOD_CHOICES}):period>": (
            f"/api/v1/rhk/{world['agreed_plan'].items[0].id}/realisations/Q1",
            {"value": "0"},
        ),
        f"POST /api/v1/realisations/{int_}item_id>/evidence/links": (
            f"/api/v1/realisations/{world['realisation'].id}/evidence/links",
            {"url": "https://disusupkan.example"},
        ),
        # a file is sent as a form (tests/test_realisation.py sends one): refused either way
        f"POST /api/v1/realisations/{int_}item_id>/evidence/files": (
            f"/api/v1/realisations/{world['realisation'].id}/evidence/files",
            {"file": "disusupkan"},
        ),
        f"POST /api/v1/periods/{int_}item_id>/open": (
            f"/api/v1/periods/{world['period'].id}/open",
            {},
        ),
        # a token is made for oneself only: naming another user is an unknown field
        "POST /api/v1/tokens": ("/api/v1/tokens", {"name": "x", "user_id": cast.subject.id}),
        f"DELETE /api/v1/tokens/{int_}item_id>": (f"/api/v1/tokens/{world['token'].id}", {}),
        # one's own notifications and settings only: naming another user is an unknown field
        "POST /api/v1/notifications/read": (
            "/api/v1/notifications/read",
            {"ids": [1], "user_id": cast.subject.id},
        ),
        "PUT /api/v1/notifications/settings": (
            "/api/v1/notifications/settings",
            {"waiting": "off", "user_id": cast.subject.id},
        ),
    }


def test_no_api_route_lets_another_agencys_hr_officer_write(
    app, client, session, cast, world, bearer
):
    attacks = _attacks(cast, world)
    routes = _api_writes(app)
    assert set(routes) == set(attacks), "a write route of the API without an attack here"
    headers = bearer(cast.hr_other)
    before = _everything(session)
    for name, (method, _endpoint) in routes.items():
        path, body = attacks[name]
        answer = client.open(path, method=method, json=body, headers=headers)
        if name.endswith("s/transitions") and answer.status_code == 200:
            assert answer.json["succeeded"] == 0, (name, answer.json)  # each item refused
            continue
        assert 400 <= answer.status_code < 500, (name, answer.status_code, answer.json)
    after = _everything(session)
    # the unsigned webhook is kept as a rejected receipt, as every request is: a log, not data
    assert [r for r in after.pop("webhook_receipts") if "'rejected'" not in r] == []
    before.pop("webhook_receipts")
    assert after == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/units", {"code": "ZZ-1", "name": "Bidang Baru"}),
        ("/api/v1/training-programs", {"code": "ZZ-P", "name": "Pelatihan Baru"}),
    ],
)
def test_an_allowed_api_write_leaves_a_change_entry(
    client, session, cast, world, bearer, path, body
):
    if "units" in path:
        body = {**body, "agency_id": cast.agency.id}
    else:
        body = {
            **body,
            "form": "pelatihan",
            "delivery_mode": "daring",
            "organiser": "BKPSDM",
            "agency_id": cast.agency.id,
            "jp": 10,
            "start_date": "2026-01-01",
            "end_date": "2026-01-02",
            "seat_quota": 5,
            "cost_per_participant": 1,
        }
    answer = client.post(path, json=body, headers=bearer(cast.hr))
    assert answer.status_code == 201, answer.json
    session.rollback()
    entry = session.scalars(select(ChangeEntry).order_by(ChangeEntry.id.desc())).first()
    assert (entry.action, entry.actor_id, entry.via, entry.agency_id) == (
        "create",
        cast.hr.id,
        "api",
        cast.agency.id,
    )
    assert entry.row_key == str(answer.json["id"]) and entry.after["name"] == body["name"]


# -- cross-agency links ----------------------------------------------------------------


def test_an_employee_cannot_be_linked_to_a_supervisor_of_another_agency(
    client, session, cast, bearer
):
    away = factories.employee(session, factories.unit(session, cast.other_agency))
    session.commit()
    hr = bearer(cast.hr)
    elsewhere = client.patch(
        f"/api/v1/employees/{cast.subject_employee.id}", json={"supervisor_id": away.id}, headers=hr
    )
    missing = client.patch(
        f"/api/v1/employees/{cast.subject_employee.id}", json={"supervisor_id": 99_999}, headers=hr
    )
    assert elsewhere.status_code == missing.status_code == 422
    # the same words for an id of another agency as for none at all: nothing to probe
    assert elsewhere.json["errors"]["supervisor_id"] == [f"No employee {away.id} in this agency."]
    assert missing.json["errors"]["supervisor_id"] == ["No employee 99999 in this agency."]
    session.rollback()
    assert session.get(Employee, cast.subject_employee.id).supervisor_id != away.id


def test_an_acting_official_must_be_of_the_principals_agency(client, session, cast, bearer):
    away = factories.employee(session, factories.unit(session, cast.other_agency))
    session.commit()
    today = local_today().isoformat()
    body = {
        "principal_id": cast.manager.employee_id,
        "delegate_id": away.id,
        "kind": "Plh",
        "starts_on": today,
        "ends_on": today,
    }
    for who in (cast.hr, cast.hr_other, cast.admin):
        answer = client.post("/api/v1/delegations", json=body, headers=bearer(who))
        assert answer.status_code == 422, (who, answer.json)
    assert session.scalar(select(func.count()).select_from(Delegation)) == 0


def test_a_supervisor_chain_cannot_loop(session, cast):
    head = session.get(Employee, cast.manager.employee_id).supervisor
    with pytest.raises(Exception, match="loop"):
        changes.save(session, cast.hr, head, {"supervisor_id": cast.subject_employee.id}, via="api")


def test_reference_writes_through_the_command_name_the_agency_in_the_log(session, cast):
    row = changes.save(
        session,
        cast.hr,
        Unit(),
        {"agency_id": cast.agency.id, "code": "U-9", "name": "Subbagian"},
        via="api",
    )
    entry = session.scalar(select(ChangeEntry).where(ChangeEntry.row_key == str(row.id)))
    assert entry.agency_id == cast.agency.id and entry.after["code"] == "U-9"


def test_models_seen_only_by_admins_have_no_list_for_others(session, cast):
    for model in (User, ApiToken, WebhookClient, Subscription, Agency, TrainingProgram):
        clause = policy.scope(cast.hr, model)
        rows = session.scalars(
            select(model).where(clause) if clause is not None else select(model)
        ).all()
        assert all(policy.can_see(cast.hr, r) for r in rows), model


def test_the_system_command_line_is_logged_too(cli, session):
    result = cli("sla", "holiday", "2026-08-17", "Hari Kemerdekaan")
    assert result.exit_code == 0, result.output
    entry = session.scalar(select(ChangeEntry).where(ChangeEntry.model == "holidays"))
    assert (entry.action, entry.actor_id, entry.via) == ("create", None, "cli")
    assert changes.snapshot(session.get(Holiday, date(2026, 8, 17)))["name"] == "Hari Kemerdekaan"


def test_a_budget_is_set_by_admins_never_below_what_is_committed(session, cast, world):
    budget = world["budget"]
    budget.committed = 5_000
    session.commit()
    with pytest.raises(Exception, match="development budget") as refused:
        changes.save(session, cast.admin, budget, {"amount": 4_999}, via="admin")
    assert refused.value.errors == {
        "amount": ["Not below what is committed already (5000 rupiah)."]
    }
    session.rollback()
    with pytest.raises(Exception) as hr_refused:
        changes.save(session, cast.hr, budget, {"amount": 1}, via="admin")
    assert hr_refused.value.code == "forbidden"
    session.rollback()
    changes.save(session, cast.admin, budget, {"amount": 20_000}, via="admin")
    entry = session.scalar(select(ChangeEntry).where(ChangeEntry.model == "development_budgets"))
    assert (entry.before, entry.after) == ({"amount": 10_000_000_000}, {"amount": 20_000})


def test_an_organisation_rating_is_logged(session, cast):
    from workflow.distribution import set_rating

    set_rating(session, cast.hr, agency_id=cast.agency.id, year=2025, period="Q1", rating="Baik")
    set_rating(
        session, cast.hr, agency_id=cast.agency.id, year=2025, period="Q1", rating="Istimewa"
    )
    entries = session.scalars(
        select(ChangeEntry).where(ChangeEntry.model == "organisation_ratings")
    ).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert (entries[1].before["rating"], entries[1].after["rating"]) == ("Baik", "Istimewa")


def test_the_change_log_never_holds_a_secret(session, cast):
    row = changes.make(
        session,
        cast.admin,
        lambda: webhooks.add_subscription(session, "http://127.0.0.1:9/z", ["*"]),
        via="admin",
    )
    changes.run(session, cast.admin, row, "rotate", webhooks.rotate_secret, via="admin")
    logged = repr([(e.before, e.after) for e in session.scalars(select(ChangeEntry))])
    assert row.secret not in logged and row.sealed_secret not in logged
    assert "'sealed_secret': '***'" in logged


@pytest.mark.parametrize(
    ("collection", "field", "extra"),
    [
        ("appraisals", "employee_id", {"year": 2027}),
        ("training-nominations", "employee_id", {}),
        ("mentoring-assignments", "mentee_id", {}),
    ],
)
def test_a_record_about_someone_one_may_not_see_reads_as_about_nobody(
    client, session, cast, bearer, collection, field, extra
):
    if collection == "training-nominations":
        extra = {"program_id": cast.program.id}
    if collection == "mentoring-assignments":
        extra = {
            "mentor_id": cast.mentor.employee_id,
            "goals": "x",
            "start_date": "2026-01-05",
            "end_date": "2026-02-05",
            "jp": 8,
        }
    headers = bearer(cast.hr_other)
    theirs = client.post(
        f"/api/v1/{collection}", headers=headers, json={field: cast.subject_employee.id, **extra}
    )
    nobody = client.post(f"/api/v1/{collection}", headers=headers, json={field: 99_999, **extra})
    assert theirs.status_code == nobody.status_code == 422, (theirs.json, nobody.json)
    assert theirs.json["errors"][field] == [f"No employee with id {cast.subject_employee.id}."]
    assert nobody.json["errors"][field] == ["No employee with id 99999."]


def test_hr_ends_a_delegation_from_the_back_office_and_it_is_logged(client, session, cast, world):
    row = world["delegation"]
    log_in(client, session, cast.hr)
    page = text(client.get("/admin/delegation/"))
    answer = client.post(
        "/admin/delegation/action/",
        data={"action": "revoke", "rowid": str(row.id), "csrf_token": csrf(page)},
    )
    assert answer.status_code == 302
    session.rollback()
    assert session.get(Delegation, row.id).revoked_at is not None
    entry = session.scalars(select(ChangeEntry).where(ChangeEntry.model == "delegations")).all()
    assert [(e.action, e.actor_id, e.via) for e in entry][-1] == ("revoke", cast.hr.id, "admin")


def test_a_role_given_or_taken_away_counts_at_once(session, cast):
    # The names of a user's roles are kept between the checks of a request (a bulk one
    # makes 10,000): given, taken away, replaced or changed in the database, they count.
    user, hr = cast.supervisor, session.scalar(select(Role).where(Role.name == RoleName.HR_OFFICER))
    record = new_record(session, cast, "appraisal")
    assert not user.has_role(RoleName.HR_OFFICER)
    assert not policy.is_hr_of(user, record.agency_id)

    user.roles.append(hr)
    assert user.has_role(RoleName.HR_OFFICER)
    assert policy.is_hr_of(user, record.agency_id)
    user.roles.remove(hr)
    assert not user.has_role(RoleName.HR_OFFICER)
    user.roles = [hr]
    assert user.role_names == {"hr_officer"}
    session.commit()

    # Taken away by another connection: seen by the session's next transaction.
    with db.engine.begin() as other:
        other.execute(user_roles.delete().where(user_roles.c.user_id == user.id))
    session.rollback()
    assert user.role_names == frozenset()
    assert not policy.is_hr_of(user, record.agency_id)
