"""Webhook clients and subscriptions: their secrets, grants, event types and addresses.

The commands (``register_client``, ``subscribe``, ``change_subscription``) are what
every adapter calls: each asks the policy, runs in one transaction and is logged
(``workflow.changes``). The intake of signed steps is ``workflow.intake``.
"""

from __future__ import annotations

import base64
import fnmatch
import ipaddress
import re
import secrets
import socket
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import changes
from workflow.db import utcnow
from workflow.errors import InvalidPayload, Text, said, term
from workflow.models import Agency, Role, RoleName, Subscription, User, WebhookClient
from workflow.settings import rules
from workflow.workflows import WORKFLOWS

SECRET_PREFIX = "whsec_"
ROTATION_GRACE = timedelta(hours=24)
CLIENT_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
MAX_WEBHOOK_ID = 255
CLIENT_ACCOUNT_DOMAIN = "webhooks.alur.invalid"  # RFC 2606: never a real mailbox


def new_secret() -> str:
    """A fresh ``whsec_`` secret: 32 random bytes, base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def rotate_secret(owner, *, grace: timedelta = ROTATION_GRACE) -> str:
    """Give a client or subscription a new secret; the old one stays valid for ``grace``."""
    owner.sealed_previous_secret = owner.sealed_secret
    owner.previous_secret_until = utcnow() + grace
    secret = new_secret()
    owner.secret = secret
    return secret


# -- grants and event types ------------------------------------------------------------


# What an external system may send besides a workflow's steps: e-Kinerja pushes what an RHK
# achieved; a learning platform attaches a certificate (a link or the file) as evidence.
COMMANDS = ("realisation.record", "evidence.link", "evidence.file")


def check_grant(grant: str) -> str:
    """``<workflow>.<trigger>`` that an external system may fire, or one of ``COMMANDS``;
    ValueError otherwise."""
    if grant in COMMANDS:
        return grant
    workflow, _, trigger = grant.partition(".")
    wf = WORKFLOWS.get(workflow)
    if wf is None:
        raise ValueError(
            Text(
                "%(grant)r: no workflow %(workflow)r; one of %(known)s",
                grant=grant,
                workflow=workflow,
                known=tuple(WORKFLOWS),
            )
        )
    if trigger not in wf.triggers:
        raise ValueError(
            Text(
                "%(grant)r: no trigger %(trigger)r; one of %(known)s",
                grant=grant,
                trigger=trigger,
                known=tuple(wf.triggers),
            )
        )
    if not any(
        spec.trigger == trigger and any(p.name == "external_system" for p in spec.who)
        for spec in wf.transitions
    ):
        doable = sorted(
            {
                f"{workflow}.{s.trigger}"
                for s in wf.transitions
                if any(p.name == "external_system" for p in s.who)
            }
        )
        raise ValueError(
            Text(
                "%(grant)r may not be done by an external system"
                + ("; %(workflow)s allows: %(doable)s" if doable else ""),
                grant=grant,
                workflow=workflow,
                doable=tuple(doable),
            )
        )
    return grant


def check_event_pattern(pattern: str) -> str:
    """``*``, ``<workflow>.*``, ``<workflow>.<state>`` or ``audit.checkpoint``; ValueError
    otherwise."""
    if pattern in ("*", "audit.*", "audit.checkpoint"):  # the checkpoints (workflow.checkpoints)
        return pattern
    if pattern in ("notification.*", "notification.created"):  # workflow.notify
        return pattern
    # the year's work of an SKP plan (workflow.realisation)
    if pattern in ("realisation.*", "realisation.recorded", "evidence.*", "evidence.attached"):
        return pattern
    workflow, _, state = pattern.partition(".")
    wf = WORKFLOWS.get(workflow)
    if wf is None:
        raise ValueError(
            Text(
                "%(pattern)r: no workflow %(workflow)r; use '*', 'audit.checkpoint', "
                "'<workflow>.*' or '<workflow>.<state>' with one of %(known)s",
                pattern=pattern,
                workflow=workflow,
                known=tuple(WORKFLOWS),
            )
        )
    states = [s.value for s in wf.states]
    states += ["due_soon", "escalated"]  # the SLA run's events (workflow.sla)
    if state != "*" and state not in states:
        raise ValueError(
            Text(
                "%(pattern)r: no state %(state)r; one of %(known)s",
                pattern=pattern,
                state=state,
                known=tuple(states),
            )
        )
    return pattern


# Who is told what is personal: a subscriber hears of it only by naming it, never by "*".
NAMED_ONLY = ("notification.",)


def wants(subscription: Subscription, event_type: str) -> bool:
    """Whether the subscription's patterns match ``event_type``."""
    if event_type.startswith(NAMED_ONLY):
        return any(
            p.startswith(NAMED_ONLY) and fnmatch.fnmatchcase(event_type, p)
            for p in subscription.event_types
        )
    return any(fnmatch.fnmatchcase(event_type, p) for p in subscription.event_types)


def check_url(url: str, *, allow_private: bool | None = None, timeout: float = 5.0) -> str:
    """An absolute http(s) URL whose host is a public address; ValueError otherwise.

    A host that resolves (or is written as an address, in any of the forms the
    resolver accepts: ``2130706433``, ``0x7f.1``, ``[::ffff:127.0.0.1]``) to a
    loopback, private, link-local, multicast, reserved or unspecified address is
    refused, lest a subscription make the worker reach into our own network,
    unless ``allow_private`` (default: the rule ``webhook_allow_private``): then
    the host is not looked up at all (the worker resolves it when it sends).
    """
    if allow_private is None:
        allow_private = rules().webhook_allow_private
    target(url, allow_private=allow_private, timeout=timeout, resolve=not allow_private)
    return url


@dataclass(frozen=True)
class Target:
    """Where a URL's request goes: its parts, and the addresses checked for it."""

    scheme: str
    host: str  # as written, without brackets
    port: int
    path: str  # path and query, for the request line
    addresses: tuple[str, ...]  # the checked addresses, to connect to in turn; () if not resolved


def target(
    url: str, *, allow_private: bool | None = None, timeout: float = 5.0, resolve: bool = True
) -> Target:
    """Parse and check ``url`` (see ``check_url``); connect only to its ``addresses``."""
    if not re.match(r"^https?://[^/\s?#]+(?:[/?#]\S*)?$", url or "") or len(url) > 2000:
        raise ValueError(Text("%(url)r is not an http:// or https:// URL", url=url))
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        raise ValueError(
            Text("%(url)r: the port is not a number from 0 to 65535", url=url)
        ) from None
    host = parts.hostname or ""
    if not host or parts.username is not None or parts.password is not None:
        raise ValueError(Text("%(url)r: give a host name, without user or password", url=url))
    scheme = parts.scheme.lower()
    port = port or (443 if scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if allow_private is None:
        allow_private = rules().webhook_allow_private
    if not resolve:
        return Target(scheme, host, port, path, ())
    addresses = resolve_host(host, port, timeout=timeout)
    if not allow_private:
        for address in addresses:
            if (why := refused_address(address)) is not None:
                named = host if address == host else f"{host} ({address})"
                raise ValueError(
                    Text(
                        "%(url)r: %(named)s is %(why)s; subscriptions must reach a public "
                        "address (set ALUR_WEBHOOK_ALLOW_PRIVATE=true to allow it, e.g. for "
                        "a demo)",
                        url=url,
                        named=named,
                        why=term("address", why),
                    )
                )
    return Target(scheme, host, port, path, tuple(addresses))


def refused_address(address: str) -> str | None:
    """Why a subscription may not reach ``address`` (a literal IP), or None if it may."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone is no part of it
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if mapped is not None:
            return refused_address(str(mapped))
        if ip in NAT64:
            return refused_address(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    for flag, why in (
        ("is_unspecified", "an unspecified address"),
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address (such as a cloud metadata service)"),
        ("is_multicast", "a multicast address"),
        ("is_private", "a private address"),
        ("is_reserved", "a reserved address"),
    ):
        if getattr(ip, flag):
            return why
    if not ip.is_global:
        return "not a public address"
    return None


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: an IPv4 address inside IPv6


def resolve_host(host: str, port: int, *, timeout: float = 5.0) -> list[str]:
    """The addresses ``host`` resolves to, within ``timeout`` seconds; ValueError otherwise.

    ``getaddrinfo`` takes no timeout of its own: it runs in a thread, and a
    resolver that hangs is given up on (its thread ends when the resolver does).
    """
    try:
        return [str(ipaddress.ip_address(host))]  # an address already: nothing to look up
    except ValueError:
        pass
    done = threading.Event()
    found: list = []

    def look_up():
        try:
            found.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            found.append(exc)
        finally:
            done.set()

    threading.Thread(target=look_up, name="resolve", daemon=True).start()
    if not done.wait(timeout):
        raise ValueError(
            Text("%(host)s did not resolve within %(seconds)s s", host=host, seconds=f"{timeout:g}")
        )
    (result,) = found
    if isinstance(result, Exception) or not result:
        raise ValueError(Text("%(host)s does not resolve to any address", host=host))
    addresses = []
    for _family, _type, _proto, _name, sockaddr in result:
        if sockaddr[0] not in addresses:
            addresses.append(sockaddr[0])
    return addresses


# -- management ------------------------------------------------------------------------


def add_client(
    session: Session, name: str, grants: list[str], *, agency_code: str | None = None
) -> WebhookClient:
    """Create a client with its own external-system account; ValueError for bad input.

    The account is what the engine checks rights against and what the audit
    names as actor; ``agency_code`` limits it to that agency's records.
    """
    if not CLIENT_NAME.match(name or ""):
        raise ValueError(
            Text(
                "%(name)r: a client name is 2 to 63 lowercase letters, digits or dashes "
                "(it is part of the webhook URL)",
                name=name,
            )
        )
    if not grants:
        raise ValueError(Text("grant the client at least one <workflow>.<trigger>"))
    grants = sorted({check_grant(g) for g in grants})
    if session.scalar(select(WebhookClient.id).where(WebhookClient.name == name)):
        raise ValueError(Text("a webhook client named %(name)r already exists", name=name))
    agency = None
    if agency_code is not None:
        agency = session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise ValueError(Text("no agency with code %(code)r", code=agency_code))
    role = session.scalar(select(Role).where(Role.name == RoleName.EXTERNAL_SYSTEM))
    account = User(
        email=f"{name}@{CLIENT_ACCOUNT_DOMAIN}",
        name=f"{name} (webhook client)",
        active=True,
        fs_uniquifier=uuid.uuid4().hex,
        agency_id=agency.id if agency else None,
        roles=[role],
    )
    if session.scalar(select(User.id).where(User.email == account.email)):
        raise ValueError(Text("an account %(email)s already exists", email=account.email))
    client = WebhookClient(name=name, user=account, grants=grants, secret=new_secret())
    session.add(client)
    return client


def set_client_active(client: WebhookClient, active: bool) -> None:
    """Switch a client (and its account) on or off."""
    client.active = active
    client.user.active = active


def add_subscription(
    session: Session,
    url: str,
    event_types: list[str],
    *,
    name: str | None = None,
    allow_private: bool | None = None,
) -> Subscription:
    """Create an active subscription; ValueError for bad input (see ``check_url``)."""
    check_url(url, allow_private=allow_private)
    if not event_types:
        raise ValueError(Text("give at least one event type, e.g. 'appraisal.*' or '*'"))
    patterns = sorted({check_event_pattern(p) for p in event_types})
    subscription = Subscription(
        name=(name or url)[:100], url=url, event_types=patterns, secret=new_secret(), active=True
    )
    session.add(subscription)
    return subscription


def update_subscription(
    row: Subscription, values: dict, *, allow_private: bool | None = None
) -> Subscription:
    """Change a subscription's name, URL, event types or ``active``; ValueError for bad input.

    The URL is checked as when subscribing; resuming one clears why it was disabled.
    InvalidPayload names the field that is refused.
    """
    if "url" in values:
        try:
            check_url(values["url"] or "", allow_private=allow_private)
        except ValueError as exc:
            raise InvalidPayload(said(exc), {"url": [said(exc)]}) from None
    if "event_types" in values:
        try:
            patterns = sorted({check_event_pattern(p) for p in values["event_types"] or []})
        except ValueError as exc:
            raise InvalidPayload(said(exc), {"event_types": [said(exc)]}) from None
        if not patterns:
            message = Text("give at least one event type, e.g. 'appraisal.*' or '*'")
            raise InvalidPayload(message, {"event_types": [message]})
        values = {**values, "event_types": patterns}
    for name in ("name", "url", "event_types", "active"):
        if name in values:
            setattr(row, name, values[name])
    if values.get("active"):
        row.disabled_reason = None
    elif values.get("active") is False and values.get("disabled_reason"):
        row.disabled_reason = values["disabled_reason"]
    return row


# -- commands --------------------------------------------------------------------------


def register_client(
    session: Session,
    actor,
    name: str,
    grants: list[str],
    *,
    via: str,
    agency_code: str | None = None,
) -> WebhookClient:
    """Add a client (``add_client``) as ``actor``: asked of the policy and logged."""

    def build() -> WebhookClient:
        return add_client(session, name, grants, agency_code=agency_code)

    return changes.make(session, actor, build, via=via)


def change_client(
    session: Session,
    actor,
    client: WebhookClient,
    *,
    via: str,
    grants: list[str] | None = None,
    active: bool | None = None,
) -> WebhookClient:
    """Change a client's grants or switch it (and its account) on or off, as ``actor``.

    ValueError names a grant that is not a step of a workflow.
    """
    checked = None if grants is None else sorted({check_grant(g) for g in grants})

    def change(row: WebhookClient) -> WebhookClient:
        if checked is not None:
            row.grants = checked
        if active is not None:
            set_client_active(row, active)
        return row

    return changes.run(session, actor, client, "update", change, via=via)


def rotate(session: Session, actor, owner, *, via: str) -> str:
    """A new secret for a client or a subscription (``rotate_secret``), as ``actor``; logged."""
    return changes.run(session, actor, owner, "rotate", rotate_secret, via=via)


def subscribe(session: Session, actor, values: dict, *, via: str) -> Subscription:
    """Subscribe ``values["url"]`` to ``values["event_types"]`` (with ``name``, ``active``)."""

    def build() -> Subscription:
        row = add_subscription(
            session,
            values.get("url") or "",
            values.get("event_types") or [],
            name=values.get("name"),
        )
        row.active = bool(values.get("active", True))
        return row

    return changes.make(session, actor, build, via=via)


def change_subscription(
    session: Session, actor, row: Subscription, values: dict, *, via: str
) -> Subscription:
    """Change a subscription (``update_subscription``) as ``actor``: asked and logged."""

    def change(r: Subscription) -> Subscription:
        return update_subscription(r, values)

    return changes.run(session, actor, row, "update", change, via=via)
