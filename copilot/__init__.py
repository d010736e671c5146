"""Agent Copilot: a desktop copilot for frontline customer-support agents."""

__version__ = "0.1.0"
APP_NAME = "Agent Copilot"
APP_ID = "agent-copilot"
