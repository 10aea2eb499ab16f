"""dlint: a Dockerfile linter and cache-busting advisor."""

__version__ = "0.1.0"
