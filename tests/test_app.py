"""The app factory, its configuration and its front door."""

from __future__ import annotations

import pytest

from alur import create_app
from alur.config import normalise_database_url


def test_production_refuses_to_start_without_its_secrets(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("SECURITY_PASSWORD_SALT", raising=False)
    monkeypatch.setenv("ALUR_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(RuntimeError, match="SECRET_KEY and SECURITY_PASSWORD_SALT must be set"):
        create_app()


def test_environment_overrides_defaults_and_a_mapping_overrides_both(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("ALUR_INBOX_PAGE_SIZE", "25")
    app = create_app({"SECRET_KEY": "from-mapping"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("env.db")
    assert app.config["INBOX_PAGE_SIZE"] == 25
    assert app.config["SECRET_KEY"] == "from-mapping"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///alur.db", "sqlite:///alur.db"),
    ],
)
def test_postgres_urls_use_psycopg_3(given, used):
    assert normalise_database_url(given) == used


def test_front_door_names_the_service_and_its_workflows(client):
    body = client.get("/").get_json()
    assert body["name"] == "Alur"
    assert set(body["workflows"]) == {
        "training_nomination",
        "mentoring_assignment",
        "appraisal",
        "skp_plan",
    }
    assert "completed" in body["workflows"]["training_nomination"]


def test_a_browser_at_the_front_door_is_sent_to_the_back_office(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/", headers={"Accept": browser})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/")
    program = client.get("/", headers={"Accept": "application/json"})
    assert program.get_json()["name"] == "Alur"


def test_the_front_door_links_the_probes(client):
    links = client.get("/", headers={"Accept": "application/json"}).get_json()["links"]
    assert client.get(links["health"]).get_json() == {"status": "ok"}
    assert client.get(links["ready"]).get_json()["status"] == "ready"
