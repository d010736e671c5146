"""The LLM engine: diagnosis and streamed drafts from any OpenAI-compatible endpoint.

One module per idea: `config` (what to call), `errors` (what went wrong, in words for the agent),
`client` (the langchain chat model, retries, connection test), `prompts` (customer text as
delimited data), `diagnosis` (structured output with fallbacks), `drafter` (token streaming),
`guard` (promises and injection echo), `engine` (the AssistEngine), `fallback` (offline when the
endpoint fails). Qt-free, like the rest of copilot.assist; langchain is imported only when used.
"""
