"""Custom actions served by the rasa-sdk action server (``python -m rasa_sdk --actions actions``).

One module per citizen service; they reach the portal only through ``actions.clients.portal`` (HTTP).
"""

from actions.procedures import ActionAnswerProcedure

__all__ = ["ActionAnswerProcedure"]
