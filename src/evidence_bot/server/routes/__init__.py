"""The /api endpoints the chat page and other council systems use, a module per resource; app.py includes
their routers in this order (the OpenAPI document lists paths in it)."""

from evidence_bot.server.routes import chat, documents, evidence, records

ROUTERS = [chat.router, documents.router, evidence.router, records.router]
