"""The veterans exporters, imported here so that the export registry (and a background export
worker, which imports each app's `exporters` module) finds them all."""

from dangjian.veterans import exporters_activities, exporters_people  # noqa: F401
