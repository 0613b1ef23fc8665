"""Use cases: keyword-only functions that own a transaction through a unit of work (see ``ports``)."""
