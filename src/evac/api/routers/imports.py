"""Import a consular list (CSV) into the registry over the API (admin, planner): the upload route.

The body is the CSV file itself (``Content-Type: text/csv``), read into memory and never written to disk
(it is plaintext personal data). It is the one route with a larger body limit
(``EVAC_MAX_IMPORT_BYTES``, default 32 MiB), and only for a caller with a valid token: everything else,
and any unauthenticated caller, is held to ``EVAC_MAX_BODY_BYTES`` by :class:`evac.api.limits.BodyLimit`
before the body is read. Larger lists and XLSX go through ``evac registry import``.

All or nothing per file, as the CLI: rows with problems refuse the whole file (422 with line, field and
reason) unless ``accept_valid=true``, which imports the valid rows and answers the problems. A file that is
not a CSV list at all (binary, a field over 128 KiB, no header) is a 422 naming the line.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request

from evac.adapters.importers.tabular import ImportFormatError, read_csv_bytes
from evac.api.deps import Ctx, CurrentActor  # noqa: TC001 -- FastAPI resolves these at runtime
from evac.api.schemas.common import errors
from evac.services import registry as svc

router = APIRouter(prefix="/api/v1/registry", tags=["registry"])
FileName = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[\w.() -]+\.(csv|txt|tsv)$",
                                description="The list's file name (re-sending a corrected list of the same "
                                            "name updates its people instead of adding copies).")]


@router.post("/imports", name="registry_import", status_code=201, responses=errors(400, 401, 403, 413, 422),
             openapi_extra={"requestBody": {"required": True, "content": {"text/csv": {"schema": {
                 "type": "string", "format": "binary"}}}}})
async def registry_import(ctx: Ctx, actor: CurrentActor, request: Request, name: FileName,
                          accept_valid: Annotated[bool, Query(description="Import the valid rows and answer the "
                                                                          "others' problems.")] = False,
                          region: Annotated[str, Query(pattern=r"^[A-Z]{2}$",
                                                       description="Default phone region.")] = "SY",
                          ) -> dict[str, Any]:
    """Import one CSV list (the request body) in one transaction; answers the counts and the problems."""
    chunks: list[bytes] = []
    async for chunk in request.stream():  # capped by the body-limit middleware as it is read
        chunks.append(chunk)
    data = b"".join(chunks)
    if not data.strip():
        raise HTTPException(422, "the body is empty: send the CSV file as the request body (text/csv)")
    try:
        table = read_csv_bytes(data, name=name, region=region)
    except ImportFormatError as exc:
        raise HTTPException(422, str(exc)) from None
    problems = [(e.line, e.field, e.reason) for e in table.errors]
    try:
        res = svc.import_records(uow=ctx.store.uow(), file_name=name, sha256=table.sha256, records=table.records,
                                 problems=problems, rows=table.rows, accept_valid=accept_valid)
    except svc.ImportRejected as exc:
        raise HTTPException(422, {"message": f"{name}: {len(exc.problems)} problem(s); nothing imported (fix "
                                             "the file, or send accept_valid=true to import the valid rows)",
                                  "problems": [{"line": ln, "field": f, "reason": r} for ln, f, r in
                                               exc.problems[:1000]]}) from None
    with ctx.uow() as uow:
        uow.ops.audit(actor=actor.username, action="write:import",
                      subject=f"{name}: {res.imported} new, {res.updated} updated, {res.rejected} rejected")
        uow.commit()
    return {"file": name, "encoding": table.decoding, "imported": res.imported, "updated": res.updated,
            "rejected": res.rejected, "households": res.households,
            "problems": [{"line": ln, "field": f, "reason": r} for ln, f, r in problems[:1000]]}
