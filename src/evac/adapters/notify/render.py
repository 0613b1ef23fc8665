"""Renders call-forward messages from ``templates/<language>/<name>.txt`` (first line: subject).

Templates see the outbox context only: trip, assembly point (id and name), time, documents. No names, so
a message that leaks says nothing about who it was for. Unknown languages fall back to English.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("ru", "en", "ar")
NAMES = ("assignment", "change", "cancellation")


class JinjaRenderer:
    """Implements :class:`evac.services.ops_ports.Renderer`."""

    def __init__(self, root: Path = TEMPLATES) -> None:
        self.env = Environment(loader=FileSystemLoader(str(root)), undefined=StrictUndefined, autoescape=False,
                               keep_trailing_newline=True)

    def render(self, name: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
        lang = language if language in LANGUAGES else "en"
        text = self.env.get_template(f"{lang}/{name}.txt").render(**context)
        subject, _, body = text.partition("\n")
        return subject.strip(), body.strip() + "\n"
