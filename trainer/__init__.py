"""peer-trainer: a conversational training simulator for peer specialist education."""

__version__ = "0.1.0"
