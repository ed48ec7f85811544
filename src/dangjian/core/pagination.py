"""API pagination with bounds: at most NINJA_PAGINATION_MAX_LIMIT rows a call and an offset
no larger than NINJA_PAGINATION_MAX_OFFSET, so an absurd value is a 422, never a database
error."""

from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            ninja_settings.PAGINATION_PER_PAGE,
            ge=1,
            le=ninja_settings.PAGINATION_MAX_LIMIT,
            description="每页条数",
        )
        offset: int = Field(
            0, ge=0, le=ninja_settings.PAGINATION_MAX_OFFSET, description="起始位置"
        )
