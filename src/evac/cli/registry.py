"""``evac init``, ``evac registry …`` and ``evac keys …``: thin wrappers over the registry services.

Domain errors (bad file, unknown id, missing key, unreachable database) exit with code 2 and one clear
message; nothing personal is printed except by ``find`` and ``dupes``, whose purpose it is.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table as RichTable

from evac.cli.console import err, fail, out, peak_rss_mb, progress_bar
from evac.core.errors import EvacError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from evac.adapters.store.workspace import Store
    from evac.core.registry.records import Stored

registry_app = typer.Typer(help="The consular registry: import lists, search, review duplicates.",
                           no_args_is_help=True)
keys_app = typer.Typer(help="Keys that encrypt the registry at rest.", no_args_is_help=True)

WorkspaceOpt = Annotated[Path | None, typer.Option("--workspace", "-w", envvar="EVAC_WORKSPACE",
                                                   help="Workspace folder (or EVAC_WORKSPACE).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON only.")]


@contextmanager
def _store(workspace: Path | None) -> Iterator[Store]:
    from evac.adapters.store.workspace import open_workspace

    if workspace is None:
        fail("no workspace: give --workspace W or set EVAC_WORKSPACE")
        raise AssertionError  # fail() exits
    try:
        store = open_workspace(workspace)
    except EvacError as exc:
        fail(str(exc))
        raise AssertionError from exc
    try:
        yield store
    except EvacError as exc:
        fail(str(exc))
    finally:
        store.close()


def cli_actor() -> str:
    """The audit actor of a CLI run: ``cli:<OS user>`` (the uid when the account has no name)."""
    import getpass

    try:
        return f"cli:{getpass.getuser()}"[:100]
    except (KeyError, OSError):
        return f"cli:uid{os.getuid()}"


def init_cli(workspace: Path, fix_permissions: Annotated[bool, typer.Option(
        "--fix-permissions", help="Make the workspace's files private (0600) instead of refusing.")] = False) -> None:
    """Create a workspace: folder, key file and database schema (safe to run twice)."""
    from evac.adapters.store.workspace import database_url, init_workspace

    try:
        store = init_workspace(workspace, fix_permissions=fix_permissions)
    except EvacError as exc:
        fail(str(exc))
        return
    store.close()
    where = "PostgreSQL" if not database_url(workspace).startswith("sqlite") else "SQLite (WAL)"
    out.print(f"workspace {workspace} ready: {where}; keep {workspace / 'evac.key'} safe and backed up "
              "separately from the database")


@registry_app.command("import")
def import_cli(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX consular list.")],
    workspace: WorkspaceOpt = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping (YAML/JSON: columns: {header: field}).")]
    = None,
    accept_valid: Annotated[bool, typer.Option("--accept-valid", help="Import the valid rows; write the others "
                                               "to FILE.rejects.csv.")] = False,
    region: Annotated[str, typer.Option(help="Default phone region (ISO 3166).")] = "SY",
    no_dedup: Annotated[bool, typer.Option("--no-dedup", help="Skip refreshing the duplicate queue.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Import one list in one transaction: every row, or none (see --accept-valid)."""
    from evac.adapters.importers.tabular import load_mapping, read_table
    from evac.services import registry as svc

    t0 = time.perf_counter()
    try:
        cols = load_mapping(mapping) if mapping else None
        table = read_table(file, mapping=cols, region=region)
    except EvacError as exc:
        fail(str(exc))
        return
    problems = [(e.line, e.field, e.reason) for e in table.errors]
    rejects = file.with_name(file.name + ".rejects.csv")
    with _store(workspace) as store:
        try:
            with progress_bar("importing", quiet=as_json) as cb:
                cb.on_start(len(table.records))
                res = svc.import_records(uow=store.uow(), file_name=file.name, sha256=table.sha256,
                                         records=table.records, problems=problems, rows=table.rows,
                                         accept_valid=accept_valid, on_progress=cb.on_progress,
                                         actor=cli_actor())
        except svc.ImportRejected as exc:
            fail(f"{file}: {exc}\n(fix the file, or import the valid rows with --accept-valid)")
            return
        except svc.RegistryError as exc:
            fail(f"{file}: {exc}")
            return
        if problems:
            from evac.adapters.importers.export import write_rejects

            write_rejects(rejects, problems)
        import_s = time.perf_counter() - t0
        dd = None if no_dedup else svc.dedup(uow=store.uow(), actor=cli_actor())
    result = {"file": str(file), "encoding": table.encoding, "fallback_lines": list(table.fallback_lines),
              "imported": res.imported, "updated": res.updated, "rejected": res.rejected,
              "households": res.households, "rows_per_s": round(res.imported / max(import_s, 1e-9), 1),
              "rejects_file": str(rejects) if problems else None,
              "duplicate_matches": dd.matches if dd else None, "duplicate_reviews": dd.reviews if dd else None}
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    out.print(f"{file}: imported {res.imported:,} people in {res.households:,} households "
              f"({table.decoding}, {result['rows_per_s']:,} rows/s)")
    if res.updated:
        out.print(f"updated {res.updated:,} people already imported from {file.name} (matched by external id)")
    if problems:
        out.print(f"rejected {res.rejected:,} rows; reasons in {rejects}")
    if dd:
        out.print(f"duplicate queue: {dd.matches:,} likely matches, {dd.reviews:,} to review "
                  "(`evac registry dupes`)")


def _person_json(s: Stored) -> dict[str, object]:
    r = s.record
    return {"id": r.external_id, "name": r.display_name, "original": " ".join(x for x in (r.given, r.patronymic,
                                                                                       r.family) if x),
            "birth": r.birth.iso(), "sex": r.sex.value if r.sex else "", "city": r.city, "phone": r.phone,
            "household": s.household_id, "relation": s.relation.value, "eligibility": s.eligibility.value,
            "eligibility_reason": s.eligibility_reason, "willingness": r.willingness.value, "status": s.status,
            "vulnerabilities": sorted(v.value for v in r.vulnerabilities)}


@registry_app.command("find")
def find_cli(
    query: Annotated[str, typer.Argument(help="Name words in any script, and optionally a birth date or year: "
                                         "ivanova, Иванова 1975, محمد.")],
    workspace: WorkspaceOpt = None,
    city: Annotated[str | None, typer.Option(help="Only people in this city.")] = None,
    status: Annotated[str | None, typer.Option(help="Only people with this status.")] = None,
    vulnerability: Annotated[str | None, typer.Option(help="Only people with this vulnerability.")] = None,
    household: Annotated[int | None, typer.Option(help="Only members of this household id.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many results.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Skip this many results (the next page).")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Find people by name, ranked: tolerant of transliteration (Иванова = Ivanova = Ivanowa), sex and birth
    date in the query weigh in, a family stays together."""
    from evac.services import registry as svc

    with _store(workspace) as store:
        t0 = time.perf_counter()
        res = svc.search(uow=store.uow(), query=query, city=city, status=status, vulnerability=vulnerability,
                         household=household, limit=limit, offset=offset, actor=cli_actor())
        ms = (time.perf_counter() - t0) * 1000
    if as_json:
        typer.echo(json.dumps([{**_person_json(s), "score": round(sc, 4)} for s, sc in res.hits],
                              ensure_ascii=False))
        return
    t = RichTable(title=f"{len(res.hits)} of {res.total:,} found for {query!r} in {ms:.0f} ms", title_justify="left")
    cols = ("id", "name", "original", "birth", "city", "household", "eligibility", "willingness")
    for col in (*cols, "score"):
        t.add_column(col)
    for s, sc in res.hits:
        j = _person_json(s)
        t.add_row(*(str(j[c]) for c in cols), f"{sc:.2f}")
    out.print(t)
    if res.more:
        out.print(f"more results: {res.total - res.offset - len(res.hits):,} after these "
                  f"(--offset {res.offset + len(res.hits)}, or add a birth year to the query)")


@registry_app.command("dupes")
def dupes_cli(workspace: WorkspaceOpt = None, as_json: JsonOpt = False,
              limit: Annotated[int | None, typer.Option(min=1, help="Show at most this many pairs (default: 100 "
                                                        "in the table, all with --json).")] = None,
              offset: Annotated[int, typer.Option(min=0, help="Skip this many pairs (paging).")] = 0,
              band: Annotated[str | None, typer.Option(help="Only this band: likely (decision match) or review.")]
              = None,
              place: Annotated[str | None, typer.Option(help="Only pairs with a record in this city.")] = None,
              accept_likely: Annotated[bool, typer.Option("--accept-likely", help="Merge every unresolved likely "
                                                          "pair (of --place, if given): each group becomes one "
                                                          "person, kept as its best record. One transaction; "
                                                          "each merge can be undone with `unmerge`.")] = False,
              ) -> None:
    """List candidate duplicate pairs with score and evidence, best first (or accept the likely ones)."""
    from evac.services import registry as svc

    if band is not None and band not in ("likely", "review"):
        fail(f"--band: {band!r} is not a band; choose likely or review")
    if accept_likely:
        with _store(workspace) as store:
            res = svc.accept_likely(uow=store.uow(), city=place, actor=cli_actor())
            with store.uow() as uow:
                ext = {s.id: s.record.external_id for s in uow.registry.many([x for m in res.merges for x in m])}
        merges = [{"kept": ext[k], "merged": ext[m]} for k, m in res.merges]
        if as_json:
            typer.echo(json.dumps({"pairs": res.pairs, "people": res.people, "merged": res.merged,
                                   "merges": merges}, ensure_ascii=False))
            return
        out.print(f"accepted {res.pairs:,} likely pairs: merged {res.merged:,} records into {res.people:,} people "
                  "(undo one: evac registry unmerge ID)")
        return
    decision = {"likely": "match", "review": "review", None: None}[band]
    with _store(workspace) as store:
        pairs, total = svc.dupes_page(uow=store.uow(), decision=decision, city=place, offset=offset,
                                      limit=limit or (10_000_000 if as_json else 100), actor=cli_actor())
    if as_json:
        typer.echo(json.dumps([{"a": a.record.external_id, "b": b.record.external_id, "score": round(p, 4),
                                "decision": d, "evidence": list(ev)} for a, b, p, d, ev in pairs],
                              ensure_ascii=False))
        return
    shown = f"{offset + 1:,}–{offset + len(pairs):,} of {total:,}" if pairs else f"none of {total:,}"
    t = RichTable(title=f"candidate pairs {shown}", title_justify="left")
    for col in ("a", "b", "score", "decision", "names", "evidence"):
        t.add_column(col)
    for a, b, p, d, ev in pairs:
        t.add_row(a.record.external_id, b.record.external_id, f"{p:.3f}", d,
                  f"{a.record.display_name} / {b.record.display_name}", "; ".join(ev))
    out.print(t)
    if offset + len(pairs) < total:
        out.print(f"more: --offset {offset + len(pairs)}")


@registry_app.command("merge")
def merge_cli(kept: Annotated[str, typer.Argument(help="External id of the record to keep.")],
              merged: Annotated[str, typer.Argument(help="External id of its duplicate.")],
              workspace: WorkspaceOpt = None) -> None:
    """Record that two records are one person (reversible; nothing is deleted)."""
    from evac.services import registry as svc

    with _store(workspace) as store:
        svc.merge(uow=store.uow(), kept=kept, merged=merged, actor=cli_actor())
    out.print(f"merged {merged} into {kept} (undo: evac registry unmerge {merged})")


@registry_app.command("unmerge")
def unmerge_cli(merged: Annotated[str, typer.Argument(help="External id of the merged record.")],
                workspace: WorkspaceOpt = None) -> None:
    """Undo a merge; the merge stays in the log, marked undone."""
    from evac.services import registry as svc

    with _store(workspace) as store:
        svc.unmerge(uow=store.uow(), merged=merged, actor=cli_actor())
    out.print(f"unmerged {merged}")


@registry_app.command("dedup")
def dedup_cli(
    workspace: WorkspaceOpt = None,
    evaluate: Annotated[bool, typer.Option("--evaluate", help="Generate a population with duplicates and "
                                           "measure against the truth (no workspace needed).")] = False,
    size: Annotated[int, typer.Option(min=2, help="People to generate with --evaluate.")] = 10_000,
    seed: Annotated[int, typer.Option(help="Seed of generation and of the model.")] = 2013,
    rate: Annotated[float, typer.Option("--duplicates", min=0.0, max=1.0, help="Share of people duplicated.")]
    = 0.1,
    as_json: JsonOpt = False,
) -> None:
    """Refresh the duplicate queue of a workspace, or (--evaluate) report precision, recall and F1."""
    from evac.services import registry as svc

    if evaluate:
        _evaluate(size=size, seed=seed, rate=rate, as_json=as_json)
        return
    with _store(workspace) as store:
        t0 = time.perf_counter()
        res = svc.dedup(uow=store.uow(), seed=seed, actor=cli_actor())
    out.print(f"{res.people:,} people, {res.pairs_compared:,} pairs compared in {time.perf_counter() - t0:.1f} s: "
              f"{res.matches:,} likely matches, {res.reviews:,} to review")


def _evaluate(*, size: int, seed: int, rate: float, as_json: bool) -> None:
    from evac.core.model import Place, PlaceKind
    from evac.core.population.generator import generate_population
    from evac.core.registry.linkage import baseline_pairs, link, score_pairs
    from evac.core.registry.variants import with_duplicates

    cities = [Place("damascus", "Damascus", PlaceKind.CITY, 33.51, 36.29, "SY", population=1_700_000),
              Place("aleppo", "Aleppo", PlaceKind.CITY, 36.20, 37.13, "SY", population=2_100_000),
              Place("latakia", "Latakia", PlaceKind.CITY, 35.52, 35.78, "SY", population=400_000),
              Place("homs", "Homs", PlaceKind.CITY, 34.73, 36.72, "SY", population=800_000)]
    try:
        pop = generate_population(cities, size=size, seed=seed)
        ev = with_duplicates(pop.people, rate=rate, seed=seed)
    except (EvacError, ValueError) as exc:
        fail(str(exc))
        return
    t0 = time.perf_counter()
    with progress_bar("de-duplicating", quiet=as_json) as cb:
        res = link(ev.records, households=ev.households, seed=seed, on_progress=cb.on_progress)
    wall = time.perf_counter() - t0
    truth = set(ev.truth)
    sc = score_pairs({(c.a, c.b) for c in res.candidates if c.decision == "match"}, truth)
    base = score_pairs(baseline_pairs(ev.records), truth)
    result = {"people": ev.people, "records": len(ev.records), "pairs_true": len(truth),
              "pairs_compared": res.pairs_compared, "precision": round(sc.precision, 4),
              "recall": round(sc.recall, 4), "f1": round(sc.f1, 4), "baseline_f1": round(base.f1, 4),
              "wall_s": round(wall, 2), "peak_rss_mb": round(peak_rss_mb(), 1)}
    if as_json:
        typer.echo(json.dumps(result))
        return
    t = RichTable(title=f"de-duplication of {ev.people:,} generated people (seed {seed})", title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    for k, v in result.items():
        t.add_row(k, f"{v:,}" if isinstance(v, int) else str(v))
    out.print(t)


@keys_app.command("rotate")
def rotate_cli(workspace: WorkspaceOpt = None) -> None:
    """Re-encrypt every record under a new key and retire the old one, while servers and imports run
    (no data is lost on a crash; running it again finishes an interrupted rotation)."""
    from evac.adapters.store.workspace import rotate_keys

    with _store(workspace) as store:
        t0 = time.perf_counter()
        n = rotate_keys(store, dict(os.environ), actor=cli_actor())
    err.print(f"re-encrypted {n:,} records under key version {store.keys.current.version} "
              f"in {time.perf_counter() - t0:.1f} s")


@keys_app.command("export")
def export_keys_cli(
    out_file: Annotated[Path, typer.Option("--out", "-o", help="File to write the key ring to (must not exist).")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Copy the key ring to a file of its own (mode 0600), to keep apart from the database and its backups:
    whoever holds both can read every record; whoever holds only the backup can read none."""
    from evac.adapters.store.crypto import write_keyring

    with _store(workspace) as store:
        try:
            write_keyring(out_file, store.keys, exclusive=True)
        except FileExistsError:
            fail(f"{out_file}: already exists (evac does not overwrite a key file)")
        except OSError as exc:
            fail(f"{out_file}: cannot write ({exc.strerror})")
        store.keys.reload()
        versions = ", ".join(map(str, sorted(store.keys.masters)))
    err.print(f"key ring (version {versions}) written to {out_file} (mode 0600); store it apart from backups")


__all__ = ["init_cli", "keys_app", "registry_app"]
