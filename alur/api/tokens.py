"""API tokens over HTTP: each user lists, makes and revokes their own (admins anyone's)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from flask import url_for
from flask.views import MethodView
from flask_smorest import abort

from alur.api.auth import actor
from alur.api.blueprint import Blueprint
from alur.api.common import TOKEN_AUTH, page, problems, query
from schemas.api_token import ApiTokenQuery, ApiTokenSchema, NewApiTokenSchema
from schemas.base import page_of
from workflow import policy, tokens
from workflow.db import MAX_ID, db
from workflow.models import ApiToken
from workflow.settings import rules

blp = Blueprint(
    "tokens",
    __name__,
    url_prefix="/api/v1/tokens",
    description="Your API tokens: list, make (shown once) and revoke",
)

# What the answer that carries the new token shows of its row (the token is no column).
_FIELDS = ("id", "user_id", "name", "prefix", "created_at", "expires_at", "revoked_at")


@blp.route("")
class Tokens(MethodView):
    decorators = TOKEN_AUTH

    @query(blp, ApiTokenQuery, page_of(ApiTokenSchema), 422)
    def get(self, args):
        """Your tokens, oldest first (never the tokens themselves)."""
        user = actor()
        if "user_id" in args and not policy.is_admin(user):
            abort(422, errors={"user_id": ["Only admins list the tokens of others."]})
        stmt = tokens.owned_by(user, args.get("user_id", user.id))
        return page(ApiToken, stmt, args)

    @blp.arguments(ApiTokenSchema)
    @blp.response(201, NewApiTokenSchema)
    @problems(blp, 422)
    def post(self, data):
        """A new token for yourself: it is in this answer, and never shown again."""
        longest = rules().api_token_days or 3650
        days = data.get("days", longest)
        if days > longest:
            abort(422, errors={"days": [f"At most {longest} days."]})
        row, token = tokens.create(
            db.session, actor(), actor(), data["name"], via="api", valid_for=timedelta(days=days)
        )
        shown = SimpleNamespace(**{f: getattr(row, f) for f in _FIELDS}, token=token)
        return (
            shown,
            201,
            {"Location": url_for("tokens.TokenItem", item_id=row.id), "Cache-Control": "no-store"},
        )


@blp.route(f"/<int(min=1, max={MAX_ID}):item_id>")
class TokenItem(MethodView):
    decorators = TOKEN_AUTH

    @blp.response(200, ApiTokenSchema)
    @problems(blp, 404)
    def get(self, item_id):
        """One of your tokens."""
        return tokens.visible(db.session, actor(), item_id)

    @blp.response(200, ApiTokenSchema)
    @problems(blp, 404)
    def delete(self, item_id):
        """Revoke one of your tokens now (the one in use too); it stays listed, revoked."""
        return tokens.revoke(db.session, actor(), item_id, via="api")


def register(api) -> None:
    api.register_blueprint(blp)
