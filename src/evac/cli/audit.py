"""``evac audit`` (the log, newest first, paged) and ``evac audit verify`` (walk the keyed hash chain).

``verify`` exits 0 when every row from the first to the chain head is present and unedited, 1 naming the
first missing or edited row otherwise, 2 when the workspace cannot be opened. It prints the head (row
number and MAC prefix): noted somewhere else, it also shows a later rollback of the whole database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from evac.cli.console import fail, out
from evac.cli.ops import audit_cli
from evac.core.errors import EvacError

audit_app = typer.Typer(help="The audit log (newest first) and its verification.", invoke_without_command=True)

WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", envvar="EVAC_WORKSPACE",
                                                   help="Workspace folder (or EVAC_WORKSPACE).")]


@audit_app.callback()
def audit_main(
    ctx: typer.Context,
    workspace: WorkspaceOpt = None,
    user: Annotated[str | None, typer.Option(help="Only this actor.")] = None,
    action: Annotated[str | None, typer.Option(help="Action prefix, e.g. read: or write:checked_in.")] = None,
    since: Annotated[str | None, typer.Option(help="ISO-8601 time with zone.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many entries (newest first).")] = 100,
    before: Annotated[int | None, typer.Option(min=1, help="Page back: only entries before this number.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")] = False,
) -> None:
    """Query the audit log, newest first (`evac audit verify` checks nobody edited or deleted any of it)."""
    if ctx.invoked_subcommand is not None:
        return
    audit_cli(workspace=workspace, user=user, action=action, since=since, limit=limit, as_json=as_json,
              before=before)


@audit_app.command("verify")
def verify_cli(workspace: WorkspaceOpt = None,
               as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")] = False
               ) -> None:
    """Walk the audit chain; report the first missing, edited or foreign row (exit 1), or that it holds."""
    from sqlalchemy.orm import Session

    from evac.adapters.store import audit_chain
    from evac.adapters.store.workspace import open_workspace
    from evac.cli.registry import cli_actor

    if workspace is None:
        fail("no workspace: give --workspace W or set EVAC_WORKSPACE")
        return
    try:
        store = open_workspace(workspace)
    except EvacError as exc:
        fail(str(exc))
        return
    try:
        with Session(store.engine) as s:
            v = audit_chain.verify(s, store.keys)
        with Session(store.engine) as s:
            audit_chain.append(s, store.keys, actor=cli_actor(), action="audit:verify",
                               subject=f"{'intact' if v.ok else 'BROKEN at row ' + str(v.first_bad)}; "
                                       f"{v.rows} rows")
            s.commit()
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"ok": v.ok, "rows": v.rows, "head": v.head_seq, "head_mac": v.head_mac,
                               "first_bad": v.first_bad, "problem": v.problem}))
    elif v.ok:
        out.print(f"audit chain intact: {v.rows:,} rows; head #{v.head_seq} {v.head_mac[:16]}")
    else:
        out.print(f"[red]audit chain BROKEN[/]: {v.problem} ({v.rows:,} rows check out before it)")
    if not v.ok:
        raise typer.Exit(1)


__all__ = ["audit_app"]
