"""QA replay: conversation files (tests/conversations/) replayed against a running bot over HTTP.

Runs in the app environment and talks to the bot only as a client would: Rasa's REST channel for
what the citizen sees, Rasa's token-secured HTTP API for what the bot understood and did.
"""
