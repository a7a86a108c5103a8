"""The trainee's terminal app: one client of the core, scoring and records.

Nothing outside this package (and the `peer-trainer` app/preview commands, inside their
run functions) imports Textual, so the headless commands stay fast.
"""
