"""Qt-free domain model: chats, messages, suggestions, decisions and the clock."""
