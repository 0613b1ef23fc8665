"""``evac serve``, ``evac users …``, ``evac ops …`` and ``evac audit``: thin wrappers over the services.

The lead wires these into the root app (``cli/app.py``); ``python -m evac.cli.ops`` runs them standalone
(the kill -9 test and the benchmark start the server that way when ``evac serve`` is not wired yet).
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from evac.cli.console import fail, out
from evac.core.errors import EvacError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from evac.adapters.store.workspace import Store
    from evac.core.model import Scenario

WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", envvar="EVAC_WORKSPACE",
                                                   help="Workspace folder (or EVAC_WORKSPACE).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]

SERVER_FACTORY = "evac.server:app_from_environment"
"""The ASGI app ``evac serve`` runs (API and pages, :mod:`evac.server`), by import path."""

users_app = typer.Typer(help="Users of evac and their roles (admin, planner, field_officer, viewer).",
                        no_args_is_help=True)
ops_app = typer.Typer(help="Field operations: activate a plan, see the status, deliver notifications.",
                      no_args_is_help=True)


def _open(workspace: Path | None) -> Store:
    from evac.adapters.store.workspace import open_workspace

    if workspace is None:
        fail("no workspace: give --workspace W or set EVAC_WORKSPACE")
    assert workspace is not None
    try:
        return open_workspace(workspace)
    except EvacError as exc:
        fail(str(exc))
        raise AssertionError from exc


def _uow(store: Store):  # type: ignore[no-untyped-def]
    from evac.adapters.store.ops_repo import ops_uow_factory

    return ops_uow_factory(store)


@contextmanager
def _stored(workspace: Path | None) -> Iterator[Store]:
    store = _open(workspace)
    try:
        yield store
    except EvacError as exc:
        fail(str(exc))
    finally:
        store.close()


def serve_cli(
    workspace: WorkspaceOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "warning",
) -> None:
    """Serve the operations API (reference at /docs, signed in) and the web pages. No access log: paths and queries may
    identify people.

    The settings are checked here (a bad secret exits 2 before anything listens) and handed to the
    server process through the environment: uvicorn builds the app from its factory's import path
    (:func:`evac.server.app_from_environment`), so the CLI imports neither the API nor the pages.
    """
    import uvicorn

    from evac.settings import Settings

    if workspace is None:
        fail("no workspace: give --workspace W or set EVAC_WORKSPACE")
    try:
        Settings(workspace=workspace)
    except ValueError as exc:
        fail(str(exc))
        return
    _open(workspace).close()  # a missing or unreadable workspace is one line and exit 2, not a traceback
    os.environ["EVAC_WORKSPACE"] = str(workspace)
    shown = f"[{host}]" if ":" in host else host
    out.print(f"evac serving {workspace} at http://{shown}:{port}/  (console /console, field /field, "
        f"API /api/v1); Ctrl+C stops")
    uvicorn.run(SERVER_FACTORY, factory=True, host=host, port=port, log_level=log_level, access_log=False)


@users_app.command("add")
def users_add_cli(
    username: Annotated[str, typer.Argument(help="User name (lower case).")],
    role: Annotated[str, typer.Option(help="admin, planner, field_officer or viewer.")] = "admin",
    place: Annotated[str | None, typer.Option(help="Assembly point (place id) of a field officer.")] = None,
    workspace: WorkspaceOpt = None,
    password_env: Annotated[str | None, typer.Option(
        "--password-env", help="Read the password from this environment variable instead of a prompt.")] = None,
    language: Annotated[str | None, typer.Option(help="Interface language: en, ru or ar (the user can change "
                                                      "it in the pages).")] = None,
) -> None:
    """Add a user (the first admin is made here). The password is prompted for, never an argument."""
    from evac.adapters.passes.tokens import Argon2Hasher
    from evac.services.ops_ports import Role
    from evac.services.users import UserError, add_user

    try:
        r = Role(role)
    except ValueError:
        fail(f"--role: choose from {', '.join(x.value for x in Role)}")
        return
    password = os.environ.get(password_env, "") if password_env else typer.prompt(
        "password", hide_input=True, confirmation_prompt=True)
    with _stored(workspace) as store:
        try:
            add_user(uow=_uow(store)(), hasher=Argon2Hasher(), username=username, password=password, role=r,
                     place=place, language=language)
        except UserError as exc:
            fail(str(exc))
    out.print(f"user {username} added as {r.value}" + (f" at {place}" if place else ""))


@users_app.command("list")
def users_list_cli(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """List users, roles and assembly points."""
    from evac.services.users import list_users

    with _stored(workspace) as store:
        rows = list_users(uow=_uow(store)())
    if as_json:
        typer.echo(json.dumps([{"username": u.username, "role": u.role.value, "place": u.place,
                                "active": u.active} for u in rows]))
        return
    t = RichTable(title=f"{len(rows)} users", title_justify="left")
    for c in ("user", "role", "place", "active"):
        t.add_column(c)
    for u in rows:
        t.add_row(u.username, u.role.value, u.place or "", "yes" if u.active else "no")
    out.print(t)


@users_app.command("set-role")
def users_set_role_cli(username: str, role: str, workspace: WorkspaceOpt = None) -> None:
    """Change a user's role."""
    from evac.services.ops_ports import Role
    from evac.services.users import UserError, update_user

    with _stored(workspace) as store:
        try:
            update_user(uow=_uow(store)(), username=username, role=Role(role))
        except (UserError, ValueError) as exc:
            fail(str(exc))
    out.print(f"{username} is now {role}")


@users_app.command("assign")
def users_assign_cli(username: str, place: Annotated[str, typer.Argument(help="Assembly point place id.")],
                     workspace: WorkspaceOpt = None) -> None:
    """Assign a field officer to an assembly point."""
    from evac.services.users import UserError, update_user

    with _stored(workspace) as store:
        try:
            update_user(uow=_uow(store)(), username=username, place=place)
        except UserError as exc:
            fail(str(exc))
    out.print(f"{username} is assigned to {place}")


@users_app.command("passwd")
def users_passwd_cli(
    username: Annotated[str, typer.Argument(help="The user whose password to set.")],
    workspace: WorkspaceOpt = None,
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the new password from the first line of standard input (scripts).")] = False,
) -> None:
    """Set a user's password (prompted twice, never an argument) and end every session they have."""
    import sys

    from evac.adapters.passes.tokens import Argon2Hasher
    from evac.services.users import UserError, change_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
    with _stored(workspace) as store:
        try:
            change_password(uow=_uow(store)(), hasher=Argon2Hasher(), username=username, new_password=password)
        except UserError as exc:
            fail(str(exc))
    out.print(f"password of {username} changed; their earlier sessions are signed out")


def _set_active(username: str, workspace: Path | None, *, active: bool) -> None:
    from evac.services.users import UserError, update_user

    with _stored(workspace) as store:
        try:
            update_user(uow=_uow(store)(), username=username, active=active)
        except UserError as exc:
            fail(str(exc))


@users_app.command("deactivate")
def users_deactivate_cli(username: str, workspace: WorkspaceOpt = None) -> None:
    """Deactivate a user: they can no longer sign in and every token they hold stops working at once."""
    _set_active(username, workspace, active=False)
    out.print(f"{username} is deactivated; their sessions are signed out")


@users_app.command("activate")
def users_activate_cli(username: str, workspace: WorkspaceOpt = None) -> None:
    """Re-activate a user (they sign in again; tokens from before the deactivation stay invalid)."""
    _set_active(username, workspace, active=True)
    out.print(f"{username} is active")


@ops_app.command("activate")
def ops_activate_cli(
    workspace: WorkspaceOpt = None,
    scenario: Annotated[str, typer.Option("--scenario", "-s", help="Scenario file or bundled name.")] = "syria-2013",
    start: Annotated[str | None, typer.Option(help="Plan start: YYYY-MM-DD or ISO-8601 with zone.")] = None,
    planner: Annotated[str, typer.Option(help="Planner to use.")] = "greedy",
    as_json: JsonOpt = False,
) -> None:
    """Plan the workspace's registry on a scenario and make it the operation's plan.

    The operation clock starts now: this moment is the plan's start in scenario time. People on a trip
    are assigned (events) and their call-forward messages are queued in the outbox.
    """
    from evac.adapters.store.ops_scenario import operation_scenario
    from evac.cli.common import parse_start
    from evac.cli.console import plan_rejected
    from evac.services.operations import activate
    from evac.services.ops_ports import Clock
    from evac.services.planning import PlanRejected, UnknownPlanner, plan_scenario, planner_names, resolve_planner

    try:
        chosen = resolve_planner(planner)
    except UnknownPlanner:
        fail(f"--planner: choose from {', '.join(planner_names())}")
        return
    with _stored(workspace) as store:
        sc, unknown = operation_scenario(store, scenario)
        start_h = parse_start(start, sc)
        try:
            plan = plan_scenario(sc, planner=chosen, start_h=start_h).plan
        except PlanRejected as exc:
            plan_rejected(exc)
            return
        now = datetime.now(UTC)
        clock = Clock(now, plan.start_h, sc.epoch, scenario)
        from evac.cli.registry import cli_actor

        res = activate(uow_factory=_uow(store), plan=plan, scenario=sc, scenario_ref=scenario, clock=clock,
                       actor=cli_actor(), now=now)
    assert plan.kpis is not None
    res.update(safe=plan.kpis.safe, travelling=plan.kpis.travelling, unknown_cities=unknown,
               start=sc.moment(plan.start_h).isoformat())
    if as_json:
        typer.echo(json.dumps(res))
        return
    out.print(f"plan {res['plan']} active: {res['trips']} trips, {plan.kpis.safe:,} of {plan.kpis.travelling:,} "
              f"travelling people safe; {res['assigned']} households assigned and called "
              f"(outbox), start {res['start']}")
    if unknown:
        out.print(f"[yellow]people in cities not in the scenario were left out: {', '.join(unknown[:10])}[/]")


@ops_app.command("status")
def ops_status_cli(workspace: WorkspaceOpt = None, as_json: JsonOpt = False) -> None:
    """The status board: people by place and status, KPIs of every plan generation."""
    from evac.services.operations import status_board

    with _stored(workspace) as store:
        board = status_board(uow_factory=_uow(store))
    if as_json:
        typer.echo(json.dumps(board))
        return
    statuses = sorted(board["totals"])
    t = RichTable(title="status board", title_justify="left")
    t.add_column("place")
    for s in statuses:
        t.add_column(s, justify="right")
    for place, row in sorted(board["by_place"].items()):
        t.add_row(place, *(str(row.get(s, "")) for s in statuses))
    t.add_row("[bold]total", *(f"[bold]{board['totals'][s]}" for s in statuses))
    out.print(t)
    if board["plans"]:
        out.print(_plan_history(board["plans"]))


def _plan_history(plans: list[dict[str, object]]) -> RichTable:
    """One row per plan generation, numbers rounded for people (clearance in hours, one decimal)."""

    def num(value: object, fmt: str = "{:,}") -> str:
        return "–" if value is None else fmt.format(value)

    t = RichTable(title="plan generations", title_justify="left")
    for col in ("plan", "gen", "reason", "active"):
        t.add_column(col)
    for col in ("travelling", "safe", "left behind", "clearance (h)", "trips"):
        t.add_column(col, justify="right")
    for p in plans:
        k = p["kpis"]
        assert isinstance(k, dict)
        t.add_row(str(p["plan"]), str(p["generation"]), str(p["reason"]), "yes" if p["active"] else "",
                  num(k.get("travelling")), num(k.get("safe")), num(k.get("left_behind")),
                  num(k.get("clearance_h"), "{:,.1f}"), num(k.get("trips")))
    return t


@ops_app.command("sitrep")
def ops_sitrep_cli(
    workspace: WorkspaceOpt = None,
    hours: Annotated[float, typer.Option(min=0.001, max=336, help="The period before now, and the look-ahead "
                                                                  "after it (hours).")] = 24.0,
    out_path: Annotated[Path | None, typer.Option("--out", "-o", help="Write FILE.pdf, FILE.csv or FILE.json "
                                                  "(by its suffix); default: a summary on screen.")] = None,
) -> None:
    """The situation report: people per status and place, the period's activity and incidents, closures
    posted and expected, the next departures. Counts only, no person; audited."""
    import getpass

    from evac.adapters.scenario.loader import build_scenario, read_scenario_file, resolve_scenario_path
    from evac.core.model import Population
    from evac.services.sitrep import situation_report

    def scenario_of(ref: str) -> Scenario:
        path = resolve_scenario_path(ref)
        model, _ = read_scenario_file(path)
        return build_scenario(model, base_dir=path.parent, population=Population((), ()))

    suffix = out_path.suffix.lower() if out_path is not None else ""
    if out_path is not None and suffix not in {".pdf", ".csv", ".json"}:
        fail(f"--out {out_path}: give a name ending in .pdf, .csv or .json")
    with _stored(workspace) as store:
        report = situation_report(uow_factory=_uow(store), scenario_of=scenario_of, now=datetime.now(UTC),
                                  hours=hours, actor=f"cli:{getpass.getuser()}")
    if out_path is not None:
        from evac.adapters.reports.sitrep import sitrep_csv, sitrep_pdf

        if suffix == ".pdf":
            out_path.write_bytes(sitrep_pdf(report))
        elif suffix == ".csv":
            out_path.write_text(sitrep_csv(report), encoding="utf-8")
        else:
            out_path.write_text(json.dumps(report, default=str, indent=1), encoding="utf-8")
        out.print(f"situation report ({hours:g} h) written to {out_path}")
        return
    out.print(f"[bold]situation report[/] {report['period_from']:%d %b %H:%M} – {report['period_to']:%d %b %H:%M} "
              f"UTC, plan generation {report['generation']}")
    out.print(f"people {report['people']:,} · safe {report['safe']:,} · unaccounted {report['unaccounted']:,}")
    out.print("last period: " + ", ".join(f"{k.replace('_', ' ')} {n:,}" for k, n in report["activity"].items()))
    for i in report["incidents"]:
        out.print(f"incident {i['at']:%d %b %H:%M} {i['kind']} {i['subject']}: {i['detail']}")
    t = RichTable(title=f"next departures ({len(report['next_departures'])})", title_justify="left")
    for col in ("time (UTC)", "trip", "vehicle", "from", "to", "people"):
        t.add_column(col)
    for d in report["next_departures"][:20]:
        t.add_row(f"{d['depart']:%d %b %H:%M}", d["trip"], d["vehicle"], d["from"], d["to"], str(d["people"]))
    out.print(t)


@ops_app.command("notify-run")
def ops_notify_cli(
    workspace: WorkspaceOpt = None,
    limit: Annotated[int, typer.Option(help="At most this many messages.")] = 100,
) -> None:
    """Deliver due outbox messages through the configured SMTP server or SMS webhook (EVAC_SMTP_HOST,
    EVAC_WEBHOOK_URL), recording each delivery or failure as an event."""
    from evac.adapters.notify.render import JinjaRenderer
    from evac.adapters.notify.senders import SmtpSender, WebhookSender
    from evac.services.notifications import dispatch
    from evac.settings import Settings

    s = Settings(workspace=workspace)
    sender: SmtpSender | WebhookSender
    if s.webhook_url:
        sender = WebhookSender(url=s.webhook_url, token=s.webhook_token.get_secret_value() if s.webhook_token
                               else None)
    elif s.smtp_host:
        sender = SmtpSender(host=s.smtp_host, port=s.smtp_port, sender=s.smtp_sender, to_domain=s.smtp_to_domain,
                            starttls=s.smtp_starttls)
    else:
        fail("no gateway: set EVAC_SMTP_HOST or EVAC_WEBHOOK_URL")
        return
    from evac.cli.registry import cli_actor
    from evac.services.operations import record_audit

    with _stored(workspace) as store:
        counts = dispatch(uow_factory=_uow(store), sender=sender, renderer=JinjaRenderer(), now=datetime.now(UTC),
                          max_attempts=s.notify_max_attempts, limit=limit)
        record_audit(uow_factory=_uow(store), actor=cli_actor(), action="notify:run",
                     subject=f"sent {counts['sent']}, retry {counts['retry']}, failed {counts['failed']}")
    out.print(f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}")


@ops_app.command("verify-log")
def ops_verify_cli(workspace: WorkspaceOpt = None) -> None:
    """Replay the whole event log and compare with the stored status projection (exit 1 on a difference)."""
    from evac.services.operations import verify_projection

    with _stored(workspace) as store:
        diff = verify_projection(uow_factory=_uow(store))
    if diff:
        out.print(f"[red]{len(diff)} people differ[/]: {', '.join(diff[:20])}")
        raise typer.Exit(1)
    out.print("the status projection equals the replayed log")


def audit_cli(
    workspace: WorkspaceOpt = None,
    user: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
    action: Annotated[str | None, typer.Option(help="Action prefix, e.g. read: or write:checked_in.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO-8601 time with zone.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries (newest first).")] = 100,
    as_json: JsonOpt = False,
    before: Annotated[int | None, typer.Option(min=1, help="Page back: only entries before this number "
                                                         "(the '#' of the last entry shown).")] = None,
) -> None:
    """Query the audit log, newest first: every read of personal data and every change, with actor and time
    (`evac audit verify` checks that nobody edited or deleted any of it)."""
    from evac.services.operations import audit_log

    when = None
    if since:
        try:
            when = datetime.fromisoformat(since)
        except ValueError:
            fail(f"--since: {since!r} is not an ISO-8601 time")
    with _stored(workspace) as store:
        rows = audit_log(uow_factory=_uow(store), actor=user, action=action, since=when, limit=limit,
                         before=before)
    if as_json:
        typer.echo(json.dumps([{"seq": r.seq, "at": r.at.isoformat(), "actor": r.actor, "action": r.action,
                                "subject": r.subject} for r in rows]))
        return
    t = RichTable(title=f"{len(rows)} audit entries, newest first", title_justify="left")
    for c in ("#", "at (UTC)", "actor", "action", "subject"):
        t.add_column(c)
    for r in rows:
        t.add_row(str(r.seq or ""), r.at.strftime("%Y-%m-%d %H:%M:%S"), r.actor, r.action, r.subject[:80])
    out.print(t)
    if len(rows) == limit and rows[-1].seq:
        out.print(f"older: --before {rows[-1].seq}")


def standalone() -> typer.Typer:
    """These commands as one app (for ``python -m evac.cli.ops`` and tests)."""
    app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    app.command("serve")(serve_cli)
    app.command("audit")(audit_cli)
    app.add_typer(users_app, name="users")
    app.add_typer(ops_app, name="ops")
    return app


__all__ = ["audit_cli", "ops_app", "serve_cli", "standalone", "users_app"]

if __name__ == "__main__":
    standalone()()
