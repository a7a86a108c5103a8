"""Verdict words for a move (trainer/engine/results.py)."""

from trainer.engine.results import ACCEPTABLE, STRONG, WEAK, quality_of


def test_a_move_that_raised_a_flag_is_never_called_strong():
    assert quality_of(0.85, critical=False) == STRONG
    assert quality_of(0.85, critical=False, flagged=True) == ACCEPTABLE  # e.g. a long graphic disclosure
    assert quality_of(0.5, critical=False, flagged=True) == ACCEPTABLE
    assert quality_of(0.85, critical=True, flagged=True) == WEAK
