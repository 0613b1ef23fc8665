"""The process ``evac serve`` runs: the REST API and the web pages in one ASGI application.

This is the composition root of the HTTP edge. The API (:mod:`evac.api`) and the pages (:mod:`evac.web`)
are independent siblings — neither imports the other, and the pages reach the data only through the API's
routes, from the browser — so they are put together here, above both. The CLI does not import this
module either: ``evac serve`` hands uvicorn the import path of :func:`app_from_environment`, the way
``uvicorn --factory`` does, with the settings in the environment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from evac.api.app import create_app as create_api
from evac.web import mount

if TYPE_CHECKING:
    from fastapi import FastAPI

    from evac.adapters.store.workspace import Store
    from evac.settings import Settings

__all__ = ["app_from_environment", "create_app"]


def create_app(settings: Settings, *, store: Store | None = None) -> FastAPI:
    """The API over the workspace ``settings.workspace`` (or an open ``store``) with the console and the
    field page mounted beside it (outside the OpenAPI schema)."""
    app = create_api(settings, store=store)
    mount(app)
    return app


def app_from_environment() -> FastAPI:
    """:func:`create_app` with settings read from the environment now (``EVAC_WORKSPACE``, ``EVAC_…``)."""
    from evac.settings import Settings

    return create_app(Settings())
