"""A manager for tree-owned models that refuses to run a query without a scope.

`Model.objects.filter(...)` on such a model raises `UnscopedQuery` when evaluated, unless the
queryset went through `.visible_to(user, cap)` (the user's subtrees) or `.unscoped()` (an
explicit, greppable opt-out for services that already checked access, for jobs and the demo).
Querysets reached through a related manager of an instance are scoped by that instance.
Django's own machinery (validation, deletion, admin) uses the plain `all_objects` manager,
which each scoped model declares as its default manager.
"""

from __future__ import annotations

from django.db import models

from dangjian.core.access import scope_q
from dangjian.core.errors import UnscopedQuery
from dangjian.core.permissions import Cap


class ScopedQuerySet(models.QuerySet):
    #: the path field of the model, relative to it: "path" for Org, "branch__path" for Member
    scope_path_field = "path"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_set = False

    def _clone(self):
        clone = super()._clone()
        clone._scope_set = self._scope_set
        return clone

    def visible_to(self, user, cap: Cap, *, indexed: bool = True):
        path_field = getattr(self.model, "SCOPE_PATH", self.scope_path_field)
        qs = self.filter(scope_q(user, cap, path_field, indexed=indexed))
        qs._scope_set = True
        return qs

    def unscoped(self):
        qs = self._chain()
        qs._scope_set = True
        return qs

    def _check_scope(self):
        if self._scope_set or self._hints.get("instance") is not None:
            return
        raise UnscopedQuery(
            f"{self.model.__name__} queried without a scope: use .visible_to(user, cap) "
            "or, after an access check, .unscoped()"
        )

    def _fetch_all(self):
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self):
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self):
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, *args, **kwargs):
        self._check_scope()
        return super().iterator(*args, **kwargs)

    def update(self, **kwargs):
        self._check_scope()
        return super().update(**kwargs)

    def delete(self):
        self._check_scope()
        return super().delete()

    def in_bulk(self, *args, **kwargs):
        self._check_scope()
        return super().in_bulk(*args, **kwargs)


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass
