"""Everything that imports PySide6: windows, panels, item models, workers."""
