"""The one application error type. Business code raises it with a Chinese message for the
user; one middleware (pages) and one exception handler (API) turn it into a response."""


class AppError(Exception):
    """A refusal the user can act on: bad input, a rule that blocks, a state that forbids."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "invalid",
        errors: list[tuple[str | None, str]] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        #: several refusals at once, each (field or None, message): a record that breaks
        #: several rules is told all of them, not one per round trip
        self.errors = errors or [(field, message)]

    def __str__(self) -> str:
        return self.message


class UnscopedQuery(RuntimeError):
    """A tree-owned model was queried without a visibility scope: a programming error."""
