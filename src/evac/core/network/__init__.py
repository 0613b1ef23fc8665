"""The road network as a graph: earliest arrivals under closures, latest safe departures."""

from evac.core.network.graph import Arc, RoadGraph

__all__ = ["Arc", "RoadGraph"]
