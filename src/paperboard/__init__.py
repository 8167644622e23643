"""Paperboard: an open, self-hostable research-paper discovery service."""

__version__ = "0.1.0"

__all__ = ["Paperboard", "__version__"]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    if name == "Paperboard":  # imported on first use: `import paperboard` stays light for the CLI's --help
        from .board import Paperboard

        return Paperboard
    raise AttributeError(name)
