"""HubError: a request the emulated Hub answers with an HTTP status and a `{"error": …}` body."""


class HubError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
