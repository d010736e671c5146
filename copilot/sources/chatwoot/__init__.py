"""Chatwoot as a chat source: the conversations assigned to the agent (REST API v1 and the
ActionCable websocket at /cable, as in Chatwoot's published API). See source.py."""
