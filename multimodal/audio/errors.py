"""What can go wrong with an audio request, in one light module: callers (the language
server, the CLI) catch these without importing torch or numpy."""


class PromptError(ValueError):
    """The prompt or flags ask for something impossible or contradictory."""


class OutputError(Exception):
    """The target folder cannot be written (the message says which and why)."""


class WeightsError(Exception):
    """The weights file is missing or does not match its recorded sha256."""


class Cancelled(Exception):
    """The caller asked generation to stop."""
