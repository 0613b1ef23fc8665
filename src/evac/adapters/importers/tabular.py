"""Read consular lists (CSV, XLSX) into registry records, with every problem located by file, line and field.

- **Encodings**: decided per file (UTF-8 with or without BOM, else cp1251, Russian Windows), with a per-line
  fallback: in a UTF-8 file, a line that is not UTF-8 (one row pasted from an old cp1251 list) is read as
  cp1251 and its number reported in :attr:`Table.fallback_lines`; the rest of the file stays UTF-8.
- **Delimiters**: comma, semicolon (Russian Excel's default) or tab, sniffed from the header line.
- **Headers**: the first of the top 10 lines that names at least two known columns; English and Russian
  names are known (:data:`HEADERS`); a mapping file (YAML or JSON ``{"columns": {"Header": "field"}}``)
  adds or overrides any. Headers match after :func:`header_key` (case, spaces, ``_`` and ``-`` ignored),
  so ``family_name``, ``Family-Name`` and ``FAMILY NAME`` are one column.
- **Values**: dates as ``DD.MM.YYYY``, ``YYYY-MM-DD``, ``MM.YYYY``, ``YYYY-MM`` or ``YYYY`` (partial dates
  kept as such, empty allowed); phones to E.164 with ``phonenumbers`` (default region SY); sex as M/F in
  either language; nationalities as ISO codes separated by ``,``/``;``/spaces.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

import phonenumbers
import yaml

from evac.adapters.csv_safe import restore
from evac.core.errors import EvacError, ModelError
from evac.core.model.people import Category, PartialDate, Relation, Sex, Vulnerability, Willingness
from evac.core.registry.names import script_of
from evac.core.registry.records import Record

if TYPE_CHECKING:
    from pathlib import Path

FIELDS = ("external_id", "given", "family", "patronymic", "given_latin", "family_latin", "patronymic_latin",
          "birth", "sex", "nationality", "phone", "document", "address", "city", "household", "relation",
          "category", "vulnerabilities", "willingness")

HEADERS: dict[str, tuple[str, ...]] = {
    "external_id": ("external_id", "id", "record id", "no", "№", "номер записи", "ид"),
    "given": ("given", "given name", "first name", "forename", "name", "имя"),
    "family": ("family", "family name", "surname", "last name", "фамилия"),
    "patronymic": ("patronymic", "middle name", "father's name", "отчество"),
    "given_latin": ("given_latin", "given name latin", "given name (latin)", "first name (latin)", "имя (лат)",
                    "имя латиницей"),
    "family_latin": ("family_latin", "family name latin", "surname latin", "surname (latin)", "last name (latin)",
                     "фамилия (лат)", "фамилия латиницей"),
    "patronymic_latin": ("patronymic_latin", "patronymic latin", "отчество (лат)"),
    "birth": ("birth", "birth date", "date of birth", "dob", "born", "дата рождения", "д.р.", "др"),
    "sex": ("sex", "gender", "пол"),
    "nationality": ("nationality", "nationalities", "citizenship", "гражданство"),
    "phone": ("phone", "telephone", "mobile", "tel", "phone number", "mobile phone", "телефон", "тел", "тел."),
    "document": ("document", "passport", "passport no", "passport number", "document number", "document no",
                 "паспорт", "номер паспорта", "документ"),
    "address": ("address", "адрес", "адрес проживания"),
    "city": ("city", "town", "location", "город", "населенный пункт", "населённый пункт"),
    "household": ("household", "family id", "household id", "семья", "домохозяйство"),
    "relation": ("relation", "relationship", "родство", "степень родства"),
    "category": ("category", "категория"),
    "vulnerabilities": ("vulnerabilities", "vulnerability", "уязвимость"),
    "willingness": ("willingness", "wants to leave", "желание выехать"),
}


def header_key(header: str) -> str:
    """A header as compared: lower case, BOM dropped, ``_`` and ``-`` read as spaces, spaces collapsed."""
    return " ".join(header.lstrip("\ufeff").lower().replace("_", " ").replace("-", " ").split())


_BY_HEADER = {header_key(h): f for f, names in HEADERS.items() for h in names}

_SEX = {"m": Sex.MALE, "male": Sex.MALE, "м": Sex.MALE, "муж": Sex.MALE, "мужской": Sex.MALE,
        "f": Sex.FEMALE, "female": Sex.FEMALE, "ж": Sex.FEMALE, "жен": Sex.FEMALE, "женский": Sex.FEMALE}
_RELATION = {r.value: r for r in Relation} | {
    "жена": Relation.SPOUSE, "муж": Relation.SPOUSE, "супруг": Relation.SPOUSE, "супруга": Relation.SPOUSE,
    "wife": Relation.SPOUSE, "husband": Relation.SPOUSE, "сын": Relation.CHILD, "дочь": Relation.CHILD,
    "son": Relation.CHILD, "daughter": Relation.CHILD, "мать": Relation.PARENT, "отец": Relation.PARENT,
    "mother": Relation.PARENT, "father": Relation.PARENT, "глава": Relation.HEAD}
_WILL = {w.value: w for w in Willingness} | {"yes": Willingness.WANTS_TO_LEAVE, "да": Willingness.WANTS_TO_LEAVE,
                                             "no": Willingness.DECLINES, "нет": Willingness.DECLINES,
                                             "": Willingness.UNDECIDED}
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_MY = re.compile(r"^(\d{1,2})\.(\d{4})$")
_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


class ImportFormatError(EvacError):
    """The file as a whole cannot be read (encoding, no header, bad mapping): nothing was imported."""


@dataclass(frozen=True, slots=True)
class RowError:
    """A bad field: its line, its field and why — never the value, which may be a name, a phone or a birth
    date (these go to the terminal and to ``FILE.rejects.csv``; the operator has the file to look at)."""

    line: int
    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class Table:
    """The parsed file: records with their source lines, errors, and facts about the file."""

    path: str
    sha256: str
    encoding: str
    header_line: int
    columns: dict[str, str]  # source header → field
    records: tuple[tuple[int, Record], ...]
    errors: tuple[RowError, ...]
    rows: int
    fallback_lines: tuple[int, ...] = ()  # physical lines (1-based) not in ``encoding``, read as cp1251

    @property
    def decoding(self) -> str:
        """The encoding as a person reads it: ``utf-8``, or ``utf-8 (lines 5, 9 read as cp1251)``."""
        if not self.fallback_lines:
            return self.encoding
        shown = ", ".join(str(n) for n in self.fallback_lines[:10])
        more = f" and {len(self.fallback_lines) - 10} more" if len(self.fallback_lines) > 10 else ""
        word = "line" if len(self.fallback_lines) == 1 else "lines"
        return f"{self.encoding} ({word} {shown}{more} read as cp1251)"


# -- reading -----------------------------------------------------------------------------------------------
def _decode(data: bytes, path: PurePath) -> tuple[str, str, tuple[int, ...]]:
    """Text, the file's encoding, and the lines read as cp1251 in a file that is otherwise UTF-8.

    The file is UTF-8 when it has a BOM, or when any non-ASCII line decodes as UTF-8 (a cp1251 line of
    Cyrillic is practically never valid UTF-8: its letters are bytes 0xC0–0xFF, never continuation bytes).
    """
    body, encoding = (data[3:], "utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else (data, "utf-8")
    try:
        return body.decode("utf-8"), encoding, ()
    except UnicodeDecodeError:
        pass
    lines = body.split(b"\n")
    utf8_lines = 0
    for line in lines:
        if not line.isascii():
            try:
                line.decode("utf-8")
                utf8_lines += 1
            except UnicodeDecodeError:
                pass
    if encoding == "utf-8" and utf8_lines == 0:
        try:
            return body.decode("cp1251"), "cp1251", ()
        except UnicodeDecodeError as exc:
            raise ImportFormatError(f"{path}: neither UTF-8 nor cp1251 (byte {exc.start})") from exc
    out: list[str] = []
    fallback: list[int] = []
    for n, line in enumerate(lines, start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1251"))
            except UnicodeDecodeError as exc:
                raise ImportFormatError(f"{path}:{n}: neither UTF-8 nor cp1251 (byte {exc.start} of the line)"
                                        ) from exc
            fallback.append(n)
    return "\n".join(out), encoding, tuple(fallback)


#: the longest field a CSV may hold (the csv module's own limit, 128 KiB): a longer one is refused clearly
MAX_FIELD_CHARS = 131_072


def _csv_rows(text: str, path: Path | PurePath) -> list[list[str]]:
    if "\x00" in text:
        raise ImportFormatError(f"{path}: this is a binary file, not a CSV list (it holds NUL bytes); "
                                "save the list as CSV (UTF-8) or XLSX")
    first = text.split("\n", 1)[0]
    delim = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    try:
        # a cell evac (or anyone following OWASP) wrote as '=… is read back as =…
        return [[restore(c) for c in r] for r in reader]
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ImportFormatError(f"{path}:{reader.line_num}: a field is longer than {MAX_FIELD_CHARS // 1024} "
                                    "KiB (an unclosed quote?); nothing was imported") from None
        raise ImportFormatError(f"{path}:{reader.line_num}: not readable as CSV ({exc})") from None


def _cell(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime | dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ImportFormatError(f"{path}: not a readable XLSX workbook ({exc})") from exc
    try:
        ws = wb.worksheets[0]
        return [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()


def load_mapping(path: Path) -> dict[str, str]:
    """Read a column-mapping file: ``{"columns": {"Source header": "field"}}`` in YAML or JSON."""
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ImportFormatError(f"{path}: cannot read the mapping ({exc})") from exc
    cols = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(cols, dict):
        raise ImportFormatError(f"{path}: a mapping needs a 'columns' object of header: field")
    out: dict[str, str] = {}
    for header, fld in cols.items():
        if fld not in FIELDS:
            raise ImportFormatError(f"{path}: columns.{header}: unknown field {fld!r} "
                                    f"(known: {', '.join(FIELDS)})")
        out[header_key(str(header))] = str(fld)
    return out


def _find_header(rows: list[list[str]], mapping: dict[str, str], path: PurePath) -> tuple[int, dict[int, str]]:
    best: tuple[int, dict[int, str]] | None = None
    for n, row in enumerate(rows[:10]):
        cols: dict[int, str] = {}
        for c, h in enumerate(row):
            key = header_key(h)
            fld = mapping.get(key) or _BY_HEADER.get(key)
            if fld and fld not in cols.values():
                cols[c] = fld
        if len(cols) >= 2 and (best is None or len(cols) > len(best[1])):
            best = (n, cols)
    if best is None:
        raise ImportFormatError(f"{path}: no header line found in the first 10 lines (expected columns such "
                                "as 'surname', 'фамилия', 'birth date'; give a --mapping file)")
    if not {"given", "family", "given_latin", "family_latin"} & set(best[1].values()):
        raise ImportFormatError(f"{path}:{best[0] + 1}: the header has no name column")
    return best


def read_table(path: Path, *, mapping: dict[str, str] | None = None, region: str = "SY") -> Table:
    """Read and parse one file; structural problems raise :class:`ImportFormatError`, row problems are
    returned in ``errors`` (one per bad field) and their rows left out of ``records``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{path}: {exc.strerror}") from exc
    fallback: tuple[int, ...] = ()
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        rows, encoding = _xlsx_rows(path), "xlsx"
    elif path.suffix.lower() in {".csv", ".txt", ".tsv"}:
        return read_csv_bytes(data, name=path, mapping=mapping, region=region)
    else:
        raise ImportFormatError(f"{path}: unknown file type {path.suffix!r} (CSV or XLSX)")
    return _table(data, rows, encoding, fallback, path, mapping=mapping, region=region)


def read_csv_bytes(data: bytes, *, name: str | PurePath, mapping: dict[str, str] | None = None,
                   region: str = "SY") -> Table:
    """:func:`read_table` of a CSV list already in memory (an upload): ``name`` is the file name the
    messages and generated external ids use. Nothing is written to disk."""
    path = PurePath(name)
    if b"\x00" in data[:65536]:  # text never holds NUL bytes; images, archives and XLSX do
        raise ImportFormatError(f"{path}: this is a binary file, not a CSV list; save the list as CSV (UTF-8) "
                                "or import XLSX with `evac registry import`")
    text, encoding, fallback = _decode(data, path)
    return _table(data, _csv_rows(text, path), encoding, fallback, path, mapping=mapping, region=region)


def _table(data: bytes, rows: list[list[str]], encoding: str, fallback: tuple[int, ...], path: PurePath, *,
           mapping: dict[str, str] | None, region: str) -> Table:
    header_at, cols = _find_header(rows, {header_key(k): v for k, v in (mapping or {}).items()}, path)
    records: list[tuple[int, Record]] = []
    errors: list[RowError] = []
    seen_ids: dict[str, int] = {}
    n_rows = 0
    for n, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(c.strip() for c in row):
            continue
        n_rows += 1
        values = {fld: (row[c].strip() if c < len(row) else "") for c, fld in cols.items()}
        rec, errs = parse_row(values, line=n, region=region, stem=path.stem)
        if rec is not None and rec.external_id in seen_ids:
            errs.append(RowError(n, "external_id", f"already used on line {seen_ids[rec.external_id]}"))
        if errs:
            errors.extend(errs)
        elif rec is not None:
            seen_ids[rec.external_id] = n
            records.append((n, rec))
    header = rows[header_at]
    return Table(str(path), hashlib.sha256(data).hexdigest(), encoding, header_at + 1,
                 {header[c]: f for c, f in cols.items()}, tuple(records), tuple(errors), n_rows, fallback)


# -- values ------------------------------------------------------------------------------------------------
def parse_date(text: str) -> PartialDate:
    """``DD.MM.YYYY``, ``MM.YYYY``, ISO ``YYYY[-MM[-DD]]`` or "" → PartialDate; a ValueError otherwise."""
    t = text.strip()
    if not t:
        return PartialDate()
    m = _DMY.match(t)
    if m:
        d, mo, y = int(m[1]), int(m[2]), int(m[3])
        dt.date(y, mo, d)
        return PartialDate(y, mo, d)
    m = _MY.match(t)
    if m:
        return PartialDate(int(m[2]), int(m[1]))
    m = _ISO.match(t)
    if m:
        year = int(m[1])
        month = int(m[2]) if m[2] else None
        day = int(m[3]) if m[3] else None
        if day is not None and month is not None:
            dt.date(year, month, day)
        return PartialDate(year, month, day)
    raise ValueError(f"{t!r} is not a date (DD.MM.YYYY, YYYY-MM-DD, YYYY-MM or YYYY)")


def parse_phone(text: str, region: str) -> str:
    t = text.strip()
    if not t:
        return ""
    try:
        num = phonenumbers.parse(t, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"{t!r} is not a phone number ({exc})") from exc
    # "Possible" (right length for the country), not "valid": libphonenumber's allocated ranges lag behind
    # operators, and rejecting a real family's number for that would be worse than keeping it.
    if not phonenumbers.is_possible_number(num):
        raise ValueError(f"{t!r} is not a possible phone number (default region {region})")
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _split_codes(text: str) -> tuple[str, ...]:
    return tuple(c.upper() for c in re.split(r"[,;\s/]+", text.strip()) if c)


def parse_row(values: dict[str, str], *, line: int, region: str = "SY",
              stem: str = "row") -> tuple[Record | None, list[RowError]]:
    """One row's values (field → text) → a record, or the errors found (each naming the field)."""
    errs: list[RowError] = []

    def get(field: str) -> str:
        return values.get(field, "").strip()

    birth = PartialDate()
    try:
        birth = parse_date(get("birth"))
    except (ValueError, ModelError):
        errs.append(RowError(line, "birth", "not a calendar date in a known form (DD.MM.YYYY, YYYY-MM-DD, "
                                            "MM.YYYY, YYYY-MM or YYYY)"))
    phone = ""
    try:
        phone = parse_phone(get("phone"), region)
    except ValueError:
        errs.append(RowError(line, "phone", f"not a possible phone number (default region {region})"))
    sex: Sex | None = None
    if get("sex"):
        sex = _SEX.get(get("sex").lower())
        if sex is None:
            errs.append(RowError(line, "sex", "not M/F (or М/Ж)"))
    relation: Relation | None = None
    if get("relation"):
        relation = _RELATION.get(get("relation").lower())
        if relation is None:
            errs.append(RowError(line, "relation", f"not one of {', '.join(r.value for r in Relation)}"))
    will = _WILL.get(get("willingness").lower())
    if will is None:
        errs.append(RowError(line, "willingness", f"not one of {', '.join(w.value for w in Willingness)}"))
    category = Category.RESIDENT
    if get("category"):
        try:
            category = Category(get("category").lower())
        except ValueError:
            errs.append(RowError(line, "category", "not a known category"))
    vulns: set[Vulnerability] = set()
    for v in re.split(r"[,;]+", get("vulnerabilities")):
        if v.strip():
            try:
                vulns.add(Vulnerability(v.strip().lower()))
            except ValueError:
                errs.append(RowError(line, "vulnerabilities", "not a known vulnerability"))
    given, family, patr = get("given"), get("family"), get("patronymic")
    gl, fl, pl = get("given_latin"), get("family_latin"), get("patronymic_latin")
    if not gl and given and script_of(given) == "Latn":
        gl = given
    if not fl and family and script_of(family) == "Latn":
        fl = family
    if not (given or family or gl or fl):
        errs.append(RowError(line, "family", "no name on this row"))
    if errs:
        return None, errs
    rec = Record(
        external_id=get("external_id") or f"{stem}:{line}", given=given, family=family, patronymic=patr,
        given_latin=gl, family_latin=fl, patronymic_latin=pl, birth=birth, sex=sex,
        nationalities=_split_codes(get("nationality")), phone=phone, document=get("document"),
        address=get("address"), city=get("city").lower(), household_key=get("household"), relation=relation,
        category=category, vulnerabilities=frozenset(vulns), willingness=will or Willingness.UNDECIDED,
    )
    return rec, []
