"""The usage review window (copilot review; Copilot ▸ Usage review… in the app)."""
