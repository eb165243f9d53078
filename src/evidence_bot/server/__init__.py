"""The HTTP edge: FastAPI app, API routes, OpenAI-compatible routes and the chat page."""

from evidence_bot.server.app import create_app

__all__ = ["create_app"]
