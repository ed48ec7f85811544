"""Exports: small classes that yield rows; one base renders them (architecture.md habit 6,
after pretix's exporters). Concepts and the recipe "add an export": docs/exports.md.

An exporter is made for one user and one set of parameters. It starts from the app's scoped
selectors with that user, so it holds only what the user may see, whether it runs in the
request or later in a background task. `Exporter` writes XLSX (streamed with openpyxl's
write-only mode) and CSV; `DocumentExporter` writes Word. Exporters register themselves with
`@register` in their app's `exporters.py`; `export_start` renders a small export at once and
hands a large one to the `export_run` task (core/tasks.py), which fills an `ExportJob` file.

- `base.py`: `Column`, `Exporter`, `DocumentExporter`, the cell rules and Word helpers
- `registry.py`: `register`, `get_exporter`, `exporters_for`
- `jobs.py`: `export_start`, `export_job_run`, `access_export_job`, `export_jobs_of`
"""

# core's own exporters (apps keep theirs in <app>/exporters.py)
from dangjian.core.exporters import audit_log  # noqa: F401  (registers itself)
from dangjian.core.exporters.base import (
    FORMATS,
    Column,
    DocumentExporter,
    Exporter,
    Progress,
    add_paragraph,
    common_path,
    new_document,
    safe_filename,
    set_cell,
    set_font,
)
from dangjian.core.exporters.jobs import (
    ExportOutcome,
    access_export_job,
    export_dir,
    export_file,
    export_job_run,
    export_jobs_of,
    export_start,
    inline_max_rows,
)
from dangjian.core.exporters.registry import REGISTRY, exporters_for, get_exporter, register

__all__ = [
    "FORMATS",
    "REGISTRY",
    "Column",
    "DocumentExporter",
    "ExportOutcome",
    "Exporter",
    "Progress",
    "access_export_job",
    "add_paragraph",
    "common_path",
    "export_dir",
    "export_file",
    "export_job_run",
    "export_jobs_of",
    "export_start",
    "exporters_for",
    "get_exporter",
    "inline_max_rows",
    "new_document",
    "register",
    "safe_filename",
    "set_cell",
    "set_font",
]
