"""Errors a user can cause or fix; their messages are shown to people as they are."""


class GenlsError(Exception):
    """Base class: the message says what is wrong and what to do about it."""


class ConfigError(GenlsError):
    """A setting has the wrong type or an unknown value."""


class ModelNotInstalledError(GenlsError):
    """A bundled model's packages are not installed."""


class ModelCorruptError(GenlsError):
    """A model file does not match its recorded sha256."""


class BackendError(GenlsError):
    """A model backend could not load or answer."""
