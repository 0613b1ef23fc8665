"""evac package."""
