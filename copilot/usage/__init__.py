"""The local usage log (Qt-free): what was shown to the agent and what they did with it."""
from copilot.usage.errors import UsageLogError
from copilot.usage.log import UsageLog
from copilot.usage.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "UsageLog", "UsageLogError"]
