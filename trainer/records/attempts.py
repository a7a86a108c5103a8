"""Storing an attempt played headless (`peer-trainer play --trainee ID`)."""

from __future__ import annotations

from typing import Any


def record_cli_attempt(args: Any, scenario: Any, state: Any, rubrics: Any) -> None:
    """Store a finished headless attempt for `args.trainee` and say what was recorded.

    The plain terminal does not report activity while the trainee plays, so no engaged
    time is measured and the attempt earns no hours: it is a completion record only.
    """
    from trainer.cli.common import CommandError, emit
    from trainer.engine.results import summarize
    from trainer.records.store import Store, StoreError

    severity = rubrics.flag_severity if rubrics is not None else None
    result = summarize(scenario, state, severity)
    try:
        with Store.open(getattr(args, "data_dir", None)) as store:
            trainee = store.find_trainee(args.trainee)
            if trainee is None:
                raise CommandError(f"no trainee '{args.trainee}' in the records store; "
                                   f"add one with 'peer-trainer trainee add NAME'")
            attempt_id = store.begin_attempt(trainee.id, scenario, state.mode)
            store.save_progress(attempt_id, state)
            finished = store.finish_attempt(attempt_id, scenario, state, result)
    except StoreError as exc:
        raise CommandError(str(exc)) from None
    emit(f"Recorded for {trainee.name} ({trainee.id}): ledger record {finished.ledger_seq}, "
         f"{finished.credited_hours:g} hours credited ({finished.credit_note}; headless play measures no engaged time)")
