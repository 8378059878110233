"""badgesite: a static-site generator for Open Badges.

The pipeline, one package per stage:

    load/       read and validate content files -> model.Site
    model.py    frozen dataclasses; each object owns its URL and output path
    serialise/  Open Badges 2.0 JSON (and later 3.0)
    render/     Jinja themes, sanitised Markdown, the route table of pages
    write.py    incremental, all-or-nothing write into output/

``build.build(config)`` runs them top to bottom.
"""

__version__ = "0.1.0"
