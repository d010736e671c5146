"""Sub-commands of `copilot`. Each module defines `register(subparsers)` and a handler."""
