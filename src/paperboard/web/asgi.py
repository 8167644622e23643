"""ASGI entry point for servers started by import string (``uvicorn paperboard.web.asgi:app``, several
workers): configuration comes from the environment, as ``paperboard serve`` sets it."""

from ..config import load_config
from .app import create_app

app = create_app(load_config())
