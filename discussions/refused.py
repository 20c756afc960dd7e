"""The one exception a write raises when it will not do what was asked."""


class Refused(Exception):
    """A request the app understood and will not carry out; the message is for people,
    the status for the answer (400 bad input, 404 gone, 409 not now)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status
