"""The assessment app's exporters, in modules by topic; imported here so that the registry's
autodiscovery (which imports each app's `exporters` module) finds them in any process, a
background worker included."""

from dangjian.assessment import exporters_assessment, exporters_contest  # noqa: F401
