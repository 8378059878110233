"""Stage 4: render pages from the model through a theme (route table in routes.py)."""
