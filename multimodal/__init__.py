"""Asset generators usable without the language server: diagrams, images, audio."""
