"""Exports of 责任落实, registered with the core exporter registry on import: autodiscovery
loads this module only (a background export worker too), so it imports each area's module,
whose classes register themselves:

- `exporters_duties`: the responsibility lists (one list as xlsx/csv and Word, the 工委's
  unit-by-unit table);
- `exporters_tasks`: the work points and tasks;
- `exporters_overview`: the 工委's overview (one sheet per table)."""

from dangjian.responsibility import (  # noqa: F401
    exporters_duties,
    exporters_overview,
    exporters_tasks,
)
