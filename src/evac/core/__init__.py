"""The pure core of evac: model, network, planner, checker, population generator.

Nothing under this package imports a database, web framework, CLI library or file format;
import-linter enforces it (see ``pyproject.toml``).
"""
