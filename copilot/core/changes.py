"""What the workspace tells its listeners (the window, the suggestion coordinator, features).

A listener is called as listener(change, chat_id) on the thread that changed the workspace (the
UI thread in the app). chat_id is "" for changes that concern no single chat (SOURCE).
"""
from __future__ import annotations

import enum
from collections.abc import Callable


class Change(str, enum.Enum):
    CHAT_ADDED = "chat_added"
    CHAT_CHANGED = "chat_changed"  # messages, status, escalation, delivery of a reply
    CUSTOMER_MESSAGE = "customer_message"  # a new customer message: the coordinator starts work
    CATEGORY_CHOSEN = "category_chosen"  # the agent picked a category: the coordinator redrafts
    CHAT_ENDED = "chat_ended"  # by the agent, the customer, or elsewhere: work for it stops
    SUGGESTION = "suggestion"  # the suggestion shown, or the agent's decision about it, changed
    ASSIST = "assist"  # work for the chat started, failed or fell back (AssistState)
    DRAFT_STREAM = "draft_stream"  # the draft being written grew (AssistState.stream)
    FOCUS = "focus"  # the chat in focus changed ("" when none)
    SOURCE = "source"  # the chat source's connection changed (Workspace.link)


Listener = Callable[[Change, str], None]
