"""evac: get a country's citizens out of a war zone alive and accounted for."""

__version__ = "0.1.0"
