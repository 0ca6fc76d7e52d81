class DomainError(Exception):
    """A domain rule was broken. The message is Chinese and tells the user what to do."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
