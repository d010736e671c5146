"""What the live chat sources (Matrix, Chatwoot) share: the hand-over queue between the network
thread and poll(), reconnection backoff, the outbox of replies on their way, the small state file
kept across restarts, and how incoming text is made safe to hand on. Qt-free."""
