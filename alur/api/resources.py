"""Reference data over the API: agencies, units, employees, training programs."""

from __future__ import annotations

from flask import url_for
from flask.views import MethodView

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, page, problems, query, scoped
from schemas.agency import AgencyQuery, AgencySchema
from schemas.base import page_of
from schemas.employee import EmployeeQuery, EmployeeSchema
from schemas.training_program import TrainingProgramQuery, TrainingProgramSchema
from schemas.unit import UnitQuery, UnitSchema
from workflow import changes, policy
from workflow.db import MAX_ID, db
from workflow.models import Agency, Employee, TrainingProgram, Unit

# URL -> model, schema, list query schema, filter columns, title
RESOURCES = {
    "agencies": (Agency, AgencySchema, AgencyQuery, ("province", "code"), "Agencies (instansi)"),
    "units": (Unit, UnitSchema, UnitQuery, ("agency_id", "parent_id"), "Work units (unit kerja)"),
    "employees": (
        Employee,
        EmployeeSchema,
        EmployeeQuery,
        ("agency_id", "unit_id", "supervisor_id", "nip"),
        "Employees (ASN)",
    ),
    "training-programs": (
        TrainingProgram,
        TrainingProgramSchema,
        TrainingProgramQuery,
        ("agency_id", "form", "delivery_mode"),
        "Training programs",
    ),
}


def register(api) -> None:
    for name, spec in RESOURCES.items():
        api.register_blueprint(_blueprint(name, *spec))


def _blueprint(name, model, schema, query_schema, filters, title):
    blp = Blueprint(name, __name__, url_prefix=f"/api/v1/{name}", description=title)
    label = model.__tablename__.replace("_", " ").removesuffix("s")

    def visible(row_id: int):
        row = db.session.get(model, row_id)
        if row is None or not policy.can_see(actor(), row):
            raise policy.not_found(model(id=row_id), label)
        return row

    @blp.route("")
    class Collection(MethodView):
        decorators = TOKEN_AUTH

        @query(blp, query_schema, page_of(schema), 422)
        def get(self, args):
            """List, in id order (keyset pagination)."""
            return page(model, scoped(model), args, filters)

        @blp.arguments(schema)
        @blp.response(201, schema)
        @problems(blp, 403, 409, 422)
        def post(self, values):
            """Create (admins; HR officers within their own agency)."""
            row = changes.save(db.session, actor(), model(), values, via="api")
            return row, 201, {"Location": url_for(f"{name}.Item", row_id=row.id)}

    @blp.route(f"/<int(min=1, max={MAX_ID}):row_id>")
    class Item(MethodView):
        decorators = TOKEN_AUTH

        @blp.response(200, schema)
        @problems(blp, 404)
        def get(self, row_id):
            """Read one."""
            return visible(row_id)

        @blp.arguments(schema(partial=True))
        @blp.response(200, schema)
        @problems(blp, 403, 404, 409, 422)
        def patch(self, values, row_id):
            """Change some fields (admins; HR officers within their own agency)."""
            return changes.save(db.session, actor(), visible(row_id), values, via="api")

    return blp
