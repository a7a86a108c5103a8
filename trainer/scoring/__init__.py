"""Judging free-text responses against rubrics (issue 3). See docs/scoring.md.

rubrics.py loads and checks rubric files; text.py normalises a response; patterns.py compiles the
indicator language; scorer.py judges; formula.py scores; overrides.py applies an instructor's
corrections; calibration.py measures agreement with labels; judgment.py is the result.

Nothing is imported here, so importing the package stays cheap and never loads Textual.
"""
