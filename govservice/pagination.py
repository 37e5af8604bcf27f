"""The API's pagination (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]): DRF's limit/offset, refusing with 400 a
``limit`` or ``offset`` that is not a whole number in range, where DRF silently answers the first page (a
client that sent ``offset=abc`` would read page one as if it were the page it asked for). The schema says
the same: ``limit`` from 1, ``offset`` from 0."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    MINIMUM = {"limit": 1, "offset": 0}

    def _checked(self, request, name: str) -> None:
        raw = request.query_params.get(name)
        if raw is None:
            return
        minimum = self.MINIMUM[name]
        try:
            valid = int(raw) >= minimum
        except ValueError:
            valid = False
        if not valid:
            raise exceptions.ValidationError({name: [_("须为不小于 %(minimum)s 的整数。") % {"minimum": minimum}]})

    def get_limit(self, request):
        self._checked(request, self.limit_query_param)
        return super().get_limit(request)

    def get_offset(self, request):
        self._checked(request, self.offset_query_param)
        return super().get_offset(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = self.MINIMUM[parameter["name"]]
        return parameters
