"""``evac backup`` and ``evac restore``: thin wrappers over :mod:`evac.adapters.store.backup`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from evac.cli.console import err, fail, out
from evac.core.errors import EvacError

WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", envvar="EVAC_WORKSPACE",
                                                   help="Workspace folder (or EVAC_WORKSPACE).")]


def backup_cli(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="The archive to write (must not exist).")],
    workspace: WorkspaceOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")] = False,
) -> None:
    """Snapshot the workspace's database while it is in use (SQLite backup API / pg_dump). The key is NOT in
    the archive: keep `evac keys export` apart from it."""
    from evac.adapters.store.backup import backup
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
        info = backup(store, out_file, actor=cli_actor())
    except EvacError as exc:
        fail(str(exc))
        return
    finally:
        store.close()
    if as_json:
        typer.echo(json.dumps({"file": str(info.path), "backend": info.backend, "events": info.events,
                               "audit_rows": info.audit_rows, "people": info.people, "bytes": info.bytes}))
        return
    counts = "" if info.events is None else f": {info.people:,} people, {info.events:,} events, " \
                                            f"{info.audit_rows:,} audit rows"
    out.print(f"backup written to {info.path} ({info.bytes:,} bytes, {info.backend}{counts})")
    err.print("the key is not in it: keep a copy from `evac keys export` somewhere else")


def restore_cli(
    archive: Annotated[Path, typer.Argument(help="An archive written by `evac backup`.")],
    workspace: Annotated[Path, typer.Option("--workspace", "-w", help="The NEW workspace to restore into.")],
    key: Annotated[Path | None, typer.Option("--key", help="The key file (from `evac keys export`); or set "
                                                          "EVAC_KEY.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")] = False,
) -> None:
    """Restore a backup into a new workspace and verify its audit chain (exit 1 if the chain is broken)."""
    from evac.adapters.store.backup import restore
    from evac.cli.registry import cli_actor

    try:
        info = restore(archive, workspace, key_file=key, actor=cli_actor())
    except EvacError as exc:
        fail(str(exc))
        return
    v = info.audit
    if as_json:
        typer.echo(json.dumps({"workspace": str(info.workspace), "backend": info.backend, "created":
                               info.manifest.get("created"), "audit_ok": v.ok, "audit_rows": v.rows,
                               "problem": v.problem}))
    elif v.ok:
        out.print(f"restored {archive} into {workspace} (backup of {info.manifest.get('created')}); audit chain "
                  f"intact ({v.rows:,} rows)")
    else:
        out.print(f"[red]restored into {workspace}, but the audit chain is BROKEN[/]: {v.problem}")
    if not v.ok:
        raise typer.Exit(1)


__all__ = ["backup_cli", "restore_cli"]
