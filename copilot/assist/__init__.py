"""Qt-free: diagnosis and drafting engines behind one small interface (see engine.py)."""
