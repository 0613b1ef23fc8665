"""Data shipped with evac: bundled scenarios and vendored assets."""
