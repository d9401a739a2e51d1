"""Errors a user can cause or fix; their messages are shown to people as they are."""

from genls.errors import GenlsError


class ImageError(GenlsError):
    """Base class for everything the image generator refuses or cannot do."""
