"""Matrix as a chat source: the rooms the agent's account has joined are chats (client-server API
v3 over httpx). See source.py for the rules, api.py for the thin client."""
