"""Stage 1: read content files and validate them into a ``model.Site``."""
