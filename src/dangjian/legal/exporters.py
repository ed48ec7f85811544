"""The legal exporters, imported here so that the export registry (and a background export
worker, which imports each app's `exporters` module) finds them all."""

from dangjian.legal import exporters_lists, exporters_services  # noqa: F401
