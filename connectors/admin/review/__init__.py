"""Conversation review: the inbox of messages to look at, and what reviewers decide."""
