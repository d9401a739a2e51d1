"""Asset generators usable without the server: diagrams, images, audio."""
