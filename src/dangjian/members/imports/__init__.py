"""Roster import from Excel (issue #3 item 4; docs/roster-import.md).

A file goes through: upload (`import_start`: refused before reading when it is not a workable
.xlsx) → validation of the whole file in the background (`import_validate`: every bad cell
reported with its rule ID, nothing written) → the user's confirmation (`import_confirm`) →
the write in the background (`import_write`: re-validated, then all rows in one transaction,
or none).

Modules: `columns` (the template's columns and cell conversion), `files` (storage and the
checks of the archive), `checking` (validation), `writing` (the transaction), `workbooks`
(template and marked report), `services` and `selectors` (the public entry points, re-exported
here), `forms`.
"""

from dangjian.members.imports.selectors import (
    access_import_job,
    branches_under,
    import_scopes,
    recent_import_jobs,
)
from dangjian.members.imports.services import (
    import_confirm,
    import_start,
    import_validate,
    import_write,
)
from dangjian.members.imports.workbooks import report_workbook, template_workbook

__all__ = [
    "access_import_job",
    "branches_under",
    "import_confirm",
    "import_scopes",
    "import_start",
    "import_validate",
    "import_write",
    "recent_import_jobs",
    "report_workbook",
    "template_workbook",
]
