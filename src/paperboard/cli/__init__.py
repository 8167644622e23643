"""The ``paperboard`` command line: parses arguments, calls the library, prints; nothing else.

Every command that prints data takes ``--format json`` for pipes. Exit status: 0 success, 1 some input
was rejected or a source failed (what was valid is stored), 2 usage or configuration errors.
"""

from . import assistant, digest, search, site, store  # noqa: F401  (each registers its commands)
from .base import main

__all__ = ["main"]
