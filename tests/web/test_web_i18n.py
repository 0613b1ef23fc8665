"""The console in three languages: every key the console uses exists in the English catalogue, and every
English key exists in Russian and Arabic (over all catalogue files together); the status words that were
wrong are right; Arabic is laid out right to left with the mixed-direction strings isolated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from web_support import sign_in

from evac.core.model import LeftBehindReason, Mode, PlaceKind
from evac.core.model.policy import DEFAULT_CLASSES
from evac.core.oplog import Status
from evac.services.funnel import STAGES
from evac.services.ops_ports import Role

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from web_support import Server

WEB = Path(__file__).resolve().parents[2] / "src" / "evac" / "web"
CONSOLE_JS = ("console.js", "funnel.js", "decision.js", "board_chart.js", "map.js", "users.js")
CONSOLE_TEMPLATES = ("console.html.j2", *(f"console/{p.name}" for p in (WEB / "templates" / "console").glob("*.j2")),
                     "base.html.j2")


def catalogues() -> dict[str, dict[str, str]]:
    """Every ``i18n*.js`` file merged per language (keys and values, read as the files are laid out)."""
    out: dict[str, dict[str, str]] = {"en": {}, "ru": {}, "ar": {}}
    for f in sorted((WEB / "static").glob("i18n*.js")):
        blocks = re.split(r"\n  (en|ru|ar): \{", f.read_text(encoding="utf-8"))[1:]
        for i in range(0, len(blocks), 2):
            pairs = re.findall(r'"([a-z_.0-9]+)":\s*"((?:[^"\\]|\\.)*)"', blocks[i + 1])
            out[blocks[i]].update(pairs)
    return out


def used_keys() -> set[str]:
    """Keys the console names literally: data-i18n* attributes in its templates and t("…") in its scripts."""
    keys: set[str] = set()
    for name in CONSOLE_TEMPLATES:
        text = (WEB / "templates" / name).read_text(encoding="utf-8")
        keys.update(re.findall(r'data-i18n(?:-[a-z]+)?="([a-z_.0-9]+)"', text))
    for name in CONSOLE_JS:
        text = (WEB / "static" / name).read_text(encoding="utf-8")
        keys.update(k for k in re.findall(r'\bt\("([a-z_.0-9]+)"', text) if not k.endswith("."))
    return keys


#: keys the scripts build from data (t("st." + status) …): one per value the server can send
FAMILIES = {
    "st.": [s.value for s in Status], "fn.": list(STAGES), "kind.": [k.value for k in PlaceKind],
    "mode.": [m.value for m in Mode], "why.": [r.value for r in LeftBehindReason],
    "reason.": ["trip_cut", "trip_cut.dropped", "left_behind", "stranded", "no_show", "now_planned", "moved",
                "activated"],
    "cls.": [c.name for c in DEFAULT_CLASSES], "dec.class.": [c.name for c in DEFAULT_CLASSES],
    "role.": [r.value for r in Role], "tpl.": ["assignment", "change", "cancellation"],
    "langname.": ["en", "ru", "ar"], "cause.": ["closure", "breakdown", "replan"],
}


def test_every_english_key_exists_in_russian_and_arabic() -> None:
    cat = catalogues()
    assert len(cat["en"]) > 300
    for lang in ("ru", "ar"):
        missing = sorted(set(cat["en"]) - set(cat[lang]))
        assert not missing, f"{lang} lacks {missing[:20]}"
        extra = sorted(set(cat[lang]) - set(cat["en"]))
        assert not extra, f"{lang} has keys English lacks: {extra[:20]}"
        untranslated = sorted(k for k, v in cat[lang].items() if v == cat["en"][k] and re.search(r"[a-z]{4}", v)
                              and k not in {"export"})
        assert not untranslated, f"{lang} copies English for {untranslated[:20]}"


def test_every_key_the_console_uses_is_in_the_catalogue() -> None:
    cat = catalogues()["en"]
    used = used_keys()
    assert {"fn.title", "closure.yes", "dec.progress.h", "target.pick"} <= used
    assert not sorted(used - set(cat)), sorted(used - set(cat))
    built = {prefix + v for prefix, values in FAMILIES.items() for v in values}
    assert not sorted(built - set(cat)), sorted(built - set(cat))


@pytest.mark.parametrize("lang", ["ru", "ar"])
def test_checked_in_is_not_arrived(lang: str) -> None:
    cat = catalogues()
    arrived = {"ru": ("прибыл", "прибыли"), "ar": ("وصل", "وصلوا")}[lang]
    assert cat[lang]["st.checked_in"] not in arrived
    assert not any(w in cat[lang]["st.checked_in"].split() for w in arrived)
    assert cat[lang]["st.checked_in"] != cat[lang]["st.arrived_safe"]
    assert cat[lang]["fn.checked_in"] != cat[lang]["fn.safe"]


def test_the_console_in_arabic_and_russian(page: Page, server: Server) -> None:
    sign_in(page, server.url, "/console", "viewer")
    page.wait_for_selector("#funnel-stages [data-stage=checked_in]")
    try:
        page.select_option("#lang", "ar")
        page.wait_for_selector("html[dir=rtl][lang=ar]")
        page.wait_for_function("document.querySelector('#funnel-h').textContent === 'مراحل العملية'")
        page.wait_for_function(
            "document.querySelector('#funnel-stages [data-stage=checked_in] .k').textContent === 'سُجّل حضورهم'")
        # the name and the role isolated: the parentheses stay around the role in right-to-left text
        who = page.locator("#who-text bdi")
        assert who.count() == 2 and who.nth(1).inner_text() == "مشاهد"
        # place names are display names, isolated for bidi, in every table of the board
        page.wait_for_selector("#funnel-place tbody tr[data-point=damascus] th bdi")
        assert page.inner_text("#funnel-place tbody tr[data-point=damascus] th") == "Damascus"
        assert page.locator("#trip-list tbody td bdi").count() > 0
        assert page.evaluate("getComputedStyle(document.querySelector('#funnel-stages')).direction") == "rtl"
        page.select_option("#lang", "ru")
        page.wait_for_selector("html[dir=ltr][lang=ru]")
        page.wait_for_function(
            "document.querySelector('#funnel-stages [data-stage=checked_in] .k').textContent === 'отмечены на пункте'")
        page.wait_for_function("document.querySelector('#plans tbody td').textContent === 'план введён'")
    finally:
        server.api("PUT", "/me/language", user="viewer", json={"language": "en"})
