"""What can go wrong with an audio request, in one light module: callers (the language
server, the CLI) catch these without importing torch or numpy. The ones a person can fix are
GenlsErrors: the server refuses the command with their message."""

from genls.errors import GenlsError


class PromptError(GenlsError, ValueError):
    """The prompt or flags ask for something impossible or contradictory."""


class OutputError(GenlsError):
    """The target folder cannot be written (the message says which and why)."""


class WeightsError(GenlsError):
    """The weights file is missing or does not match its recorded sha256."""


class Cancelled(Exception):
    """The caller asked generation to stop."""
