"""The engine: plays a checked scenario as a small, JSON-serializable state machine."""
