"""Errors a user can cause or fix; their messages are shown to people as they are."""


class ImageError(Exception):
    """Base class for everything the image generator refuses or cannot do."""
