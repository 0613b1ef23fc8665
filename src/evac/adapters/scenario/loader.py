"""Load a scenario file (YAML or JSON) into a core :class:`~evac.core.model.Scenario`.

Every problem is reported at once as ``file:line: path: message`` (e.g.
``syria.yaml:57: links[12].to: unknown place 'Homs2'``) in one :class:`ScenarioError`; nothing is
half-built. Structure is checked by pydantic (:mod:`.schema`); references between objects by
:func:`_reference_problems`, which runs on the raw data so that both kinds are reported together.
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from evac.adapters.scenario.schema import ScenarioFile, WhenIn
from evac.core.errors import EvacError, ModelError, ScenarioError
from evac.core.model import (
    Fixed,
    Fleet,
    Link,
    LogNormal,
    Place,
    Policy,
    Population,
    PriorityClass,
    Scenario,
    Service,
    Threat,
    Triangular,
    Uniform,
)

if TYPE_CHECKING:
    from datetime import datetime

Path_ = tuple[str | int, ...]
BUNDLED = "syria-2013"


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as strings, so that pydantic (not PyYAML) judges them."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def bundled_scenarios() -> list[str]:
    """Names of the scenarios shipped inside evac."""
    folder = resources.files("evac.data") / "scenarios"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A path as given, or the bundled scenario of that name (``syria-2013``)."""
    path = Path(name_or_path)
    if path.exists():
        return path
    if str(name_or_path) in bundled_scenarios():
        return Path(str(resources.files("evac.data") / "scenarios" / f"{name_or_path}.yaml"))
    known = ", ".join(bundled_scenarios())
    raise ScenarioError([f"{name_or_path}: no such file, and not a bundled scenario ({known})"])


def read_scenario_file(path: Path) -> tuple[ScenarioFile, dict[Path_, int]]:
    """Parse and validate a scenario file; return the validated model and a path → line map."""
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{name}: cannot read: {exc}"]) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        if node is not None:
            _refuse_bombs(node, name)
        raw = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{name}:{mark.line + 1}" if mark is not None else name
        raise ScenarioError([f"{where}: not valid YAML/JSON: {getattr(exc, 'problem', exc)}"]) from None
    except RecursionError:
        raise ScenarioError([f"{name}: nested too deeply to be a scenario"]) from None
    lines: dict[Path_, int] = {}
    if node is not None:
        _map_lines(node, (), lines)
    if not isinstance(raw, dict):
        raise ScenarioError([f"{name}:1: the file must hold a mapping of scenario fields"])

    problems: list[tuple[Path_, str]] = []
    model: ScenarioFile | None = None
    try:
        model = ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err["loc"])
            problems.append((_clean_loc(loc), _message(err)))
    problems.extend(_reference_problems(raw))
    if problems:
        located = sorted((_line(lines, loc), format_path(loc), msg) for loc, msg in _dedupe(problems))
        raise ScenarioError([f"{name}:{line}: {where}: {msg}" if line else f"{name}: {where}: {msg}"
                             for line, where, msg in located])
    assert model is not None
    return model, lines


MAX_VALUES = 2_000_000
"""Most values (mappings, lists and scalars, counting each use of a YAML alias in full) a scenario file may
hold. A real scenario has a few thousand; a "billion laughs" file of nested aliases expands to billions and
would exhaust memory in validation, so it is refused before anything is built."""


def _refuse_bombs(root: yaml.Node, name: str) -> None:
    """Raise a :class:`ScenarioError` when the document, with every alias expanded, holds more than
    :data:`MAX_VALUES` values. Sizes are counted once per node (aliases share nodes), so this takes time
    linear in the text, not in the expansion."""
    size: dict[int, int] = {}
    open_: set[int] = set()  # nodes whose children are being counted: meeting one again is a cycle
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        if not done and id(node) in open_:
            raise ScenarioError([f"{name}:{node.start_mark.line + 1}: a value contains itself (a recursive "
                                 "YAML alias)"])
        kids: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                kids += [k, v]
        elif isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        if not done:
            open_.add(id(node))
            stack.append((node, True))
            stack.extend((k, False) for k in kids if id(k) not in size)
            continue
        total = 1 + sum(size.get(id(k), 0) for k in kids)
        size[id(node)] = total
        open_.discard(id(node))
        if total > MAX_VALUES:
            raise ScenarioError([f"{name}:{node.start_mark.line + 1}: this value expands to more than "
                                 f"{MAX_VALUES:,} values (aliases of aliases, a 'billion laughs' YAML bomb?); "
                                 "write the values out"])


def load_scenario(
    name_or_path: str | Path,
    *,
    population: Population | None = None,
    on_progress: Any = None,
) -> Scenario:
    """Load a scenario by path or bundled name; ``population`` replaces the file's population block."""
    path = resolve_scenario_path(name_or_path)
    model, _lines = read_scenario_file(path)
    try:
        return build_scenario(model, base_dir=path.parent, population=population, on_progress=on_progress)
    except ScenarioError:
        raise
    except EvacError as exc:
        raise ScenarioError([f"{path.name}: {exc}"]) from None


def build_scenario(
    model: ScenarioFile,
    *,
    base_dir: Path,
    population: Population | None = None,
    on_progress: Any = None,
) -> Scenario:
    """Turn a validated file model into core objects (hours from the epoch)."""
    epoch = model.epoch

    def h(moment: datetime) -> float:
        return (moment - epoch).total_seconds() / 3600.0

    places = tuple(
        Place(p.id, p.name, p.kind, p.lat, p.lon, p.country, p.processing_per_h, p.population, p.capacity,
              p.region, tuple((h(c.from_), c.per_h) for c in p.processing_changes))
        for p in model.places
    )
    links = tuple(
        Link(lk.id, lk.from_, lk.to, lk.mode, lk.travel_h, lk.distance_km, lk.capacity_vehicles_per_h, lk.one_way)
        for lk in model.links
    )
    fleets = tuple(
        Fleet(f.id, f.name or f.id, f.mode, f.seats, f.count, f.depot, h(f.available_from),
              math.inf if f.available_until is None else h(f.available_until), frozenset(f.serves),
              f.boarding_h, f.unloading_h, f.shuttle_to)
        for f in model.fleets
    )
    services = tuple(
        Service(s.id, s.name or s.id, s.mode, s.origin, s.destination, s.seats, h(s.first_departure), s.cadence_h,
                s.departures)
        for s in model.services
    )
    threats = tuple(Threat(t.id, t.name or t.id, t.target, t.effect, _when(t.when, h),
                           until=None if t.until is None else _when(t.until, h)) for t in model.threats)
    pol = model.policy
    policy = Policy(
        priority_classes=tuple(
            PriorityClass(c.name, c.weight, frozenset(c.vulnerabilities), frozenset(c.categories))
            for c in pol.priority_classes
        ),
        start_h=h(model.start) if model.start is not None else 0.0,
        closure_quantile=pol.closure_quantile,
        boarding_h=pol.boarding_h,
        min_connection_h=pol.min_connection_h,
        family_unity=pol.family_unity,
        partner_nations=tuple(pol.partner_nations),
    )
    if population is None:
        population = _population(model, places, base_dir, on_progress)
    return Scenario(model.id, model.name, model.country, epoch, places, links, fleets, services, threats, policy,
                    population)


def _population(model: ScenarioFile, places: tuple[Place, ...], base_dir: Path, on_progress: Any) -> Population:
    from evac.adapters.population_io import read_population
    from evac.core.model import PlaceKind
    from evac.core.population.generator import generate_population

    spec = model.population
    if spec.file is not None:
        return read_population(base_dir / spec.file)
    if spec.teams is not None:
        from evac.core.population.teams import generate_teams

        t = spec.teams
        return generate_teams([(s.at, s.people) for s in t.sites], team_size=(t.team_min, t.team_max),
                              nationality=t.nationality, seed=t.seed, year=model.epoch.year, language=t.language)
    assert spec.generator is not None
    g = spec.generator
    cities = [p for p in places if p.kind is PlaceKind.CITY and p.country == model.country]
    return generate_population(cities, size=g.size, seed=g.seed, diplomats_at=g.diplomats_at,
                               military_at=tuple(g.military_at), year=model.epoch.year, on_progress=on_progress)


def _when(w: WhenIn, h: Any) -> Fixed | Uniform | Triangular | LogNormal:
    if w.fixed is not None:
        return Fixed(h(w.fixed))
    if w.uniform is not None:
        return Uniform(h(w.uniform.earliest), h(w.uniform.latest))
    if w.triangular is not None:
        t = w.triangular
        return Triangular(h(t.earliest), h(t.mode), h(t.latest))
    assert w.lognormal is not None
    ln = w.lognormal
    return LogNormal(h(ln.after), ln.median_h, ln.sigma)


# -- reference checks on raw data ------------------------------------------------------------------
def _items(raw: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    value = raw.get(key)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _reference_problems(raw: dict[str, Any]) -> list[tuple[Path_, str]]:
    """Unknown or duplicate ids, found on the raw data so they are reported even beside type errors."""
    out: list[tuple[Path_, str]] = []
    place_ids: set[str] = set()
    for key, seen in (("places", place_ids), ("links", set()), ("fleets", set()), ("services", set()),
                      ("threats", set())):
        for i, item in _items(raw, key):
            pid = item.get("id")
            if isinstance(pid, str):
                if pid in seen:
                    out.append(((key, i, "id"), f"duplicate id {pid!r}"))
                seen.add(pid)
    link_ids = {str(item.get("id")) for _, item in _items(raw, "links")}

    def place(path: Path_, value: Any) -> None:
        if isinstance(value, str) and value not in place_ids:
            out.append((path, f"unknown place {value!r}"))

    air_sea: set[tuple[str, str, str]] = set()
    for i, lk in _items(raw, "links"):
        place(("links", i, "from"), lk.get("from"))
        place(("links", i, "to"), lk.get("to"))
        air_sea.add((str(lk.get("mode")), str(lk.get("from")), str(lk.get("to"))))
    regions = {str(item["region"]) for _, item in _items(raw, "places") if isinstance(item.get("region"), str)}
    region_of = {str(item.get("id")): item.get("region") for _, item in _items(raw, "places")}
    for i, f in _items(raw, "fleets"):
        place(("fleets", i, "depot"), f.get("depot"))
        to = f.get("shuttle_to")
        if isinstance(to, str):
            place(("fleets", i, "shuttle_to"), to)
            leg = (str(f.get("mode")), str(f.get("depot")), to)
            if to in place_ids and f.get("depot") in place_ids and leg not in air_sea:
                out.append((("fleets", i, "shuttle_to"), f"no {leg[0]} link from {leg[1]!r} to {to!r} to shuttle on"))
        area = f.get("serves")
        if isinstance(area, list) and area:
            for j, x in enumerate(area):
                if isinstance(x, str) and x not in place_ids and x not in regions:
                    out.append((("fleets", i, "serves", j), f"{x!r} is neither a place id nor a region"))
            depot = f.get("depot")
            if (isinstance(depot, str) and depot in place_ids and depot not in area
                    and region_of.get(depot) not in area):
                out.append((("fleets", i, "depot"), f"depot {depot!r} is outside the places the fleet serves"))
    for i, s in _items(raw, "services"):
        place(("services", i, "origin"), s.get("origin"))
        place(("services", i, "destination"), s.get("destination"))
        run = (str(s.get("mode")), str(s.get("origin")), str(s.get("destination")))
        if s.get("origin") in place_ids and s.get("destination") in place_ids and run not in air_sea:
            out.append((("services", i), f"no {run[0]} link from {run[1]!r} to {run[2]!r} for this service"))
    for i, t in _items(raw, "threats"):
        target = t.get("target")
        if isinstance(target, str) and target not in place_ids and target not in link_ids:
            out.append((("threats", i, "target"), f"unknown place or link {target!r}"))
    pop = raw.get("population")
    gen = pop.get("generator") if isinstance(pop, dict) else None
    teams = pop.get("teams") if isinstance(pop, dict) else None
    if isinstance(teams, dict) and isinstance(teams.get("sites"), list):
        for j, site in enumerate(teams["sites"]):
            if isinstance(site, dict):
                place(("population", "teams", "sites", j, "at"), site.get("at"))
    if isinstance(gen, dict):
        place(("population", "generator", "diplomats_at"), gen.get("diplomats_at"))
        military = gen.get("military_at")
        if isinstance(military, list):
            for j, m in enumerate(military):
                place(("population", "generator", "military_at", j), m)
    return out


# -- error formatting ----------------------------------------------------------------------------
def _map_lines(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            _map_lines(value, child, out)
            out[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _map_lines(value, (*path, i), out)


def _clean_loc(loc: tuple[Any, ...]) -> Path_:
    # pydantic adds the name of a failed union/literal branch or validator to the location; drop it.
    return tuple(p for p in loc if isinstance(p, int) or not str(p).startswith(("function-", "literal[")))


def _message(err: Any) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] in {"missing"}:
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return "unknown field (misspelt?)"
    if "input" in err and err["type"] not in {"model_type", "dict_type"}:
        value = err["input"]
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return f"{msg}, got {value!r}"
    return msg


def _dedupe(problems: list[tuple[Path_, str]]) -> list[tuple[Path_, str]]:
    seen: set[tuple[Path_, str]] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


def format_path(path: Path_) -> str:
    """``("links", 12, "to")`` → ``links[12].to``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line(lines: dict[Path_, int], path: Path_) -> int:
    """Line of the nearest part of ``path`` present in the file (a missing field points at its parent)."""
    probe = path
    while probe and probe not in lines:
        probe = probe[:-1]
    return lines.get(probe, 0)


__all__ = ["BUNDLED", "ModelError", "ScenarioError", "bundled_scenarios", "load_scenario", "read_scenario_file",
           "resolve_scenario_path"]
