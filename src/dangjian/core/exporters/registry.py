"""The registry: exporters make themselves known with `@register`; pages and tasks find them
by identifier."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from dangjian.core.errors import AppError
from dangjian.core.exporters.base import Exporter

REGISTRY: dict[str, type[Exporter]] = {}
_discovered = False


def register(cls: type[Exporter]) -> type[Exporter]:
    """Class decorator: make an exporter known by its identifier."""
    if not cls.identifier or not cls.verbose_name:
        raise ImproperlyConfigured(f"{cls.__name__}: an exporter needs identifier and verbose_name")
    known = REGISTRY.get(cls.identifier)
    if known is not None and known.__qualname__ != cls.__qualname__:
        raise ImproperlyConfigured(f"two exporters share the identifier {cls.identifier!r}")
    REGISTRY[cls.identifier] = cls
    return cls


def _discover() -> None:
    """Import every app's exporters.py once (a worker process may not have imported them)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("exporters")
        _discovered = True


def get_exporter(identifier: str) -> type[Exporter]:
    _discover()
    cls = REGISTRY.get(identifier or "")
    if cls is None:
        raise AppError("没有这种导出。")
    return cls


def exporters_for(user) -> list[type[Exporter]]:
    """The exports this user may start anywhere, by name."""
    _discover()
    return sorted(
        (cls for cls in REGISTRY.values() if cls.available_to(user)),
        key=lambda cls: cls.identifier,
    )
