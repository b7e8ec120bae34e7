"""The one exception the engine raises for input it cannot accept."""

from __future__ import annotations


class RequestError(ValueError):
    """A request or batch that breaks the contract. ``str(error)`` is a message a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
