"""badgesite: a static-site generator for Open Badges.

The pipeline, one package per stage (``build.build(config)`` runs them top to bottom):

    load/       read content files -> model.Site (with every diagnostic)
    validate/   check the whole: cross-references, leaks, committed Open Badges 3.0 files
    serialise/  model -> Open Badges 2.0 documents and 3.0 credentials (pure)
    plan/       every output: path (from urls.py), fingerprint, maker
    render/     Jinja themes (sandboxed), sanitised Markdown, one function per page kind
    write/      incremental, crash-safe writes into output/

Issue-time commands live in admin/, the verifier in verify/, the CLI in cli.py and commands/.
"""

__version__ = "0.1.0"
