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


class LiveAttempt:
    """An interactive headless attempt, saved after every turn like the app's, so engaged time counts.

    Opening it checks the trainee before anything is played; quitting leaves the attempt
    unfinished in the store, where the app offers to resume it.
    """

    def __init__(self, data_dir: Any, trainee_ref: str, scenario: Any, mode: str):
        from trainer.cli.common import CommandError
        from trainer.records.store import Store, StoreError

        try:
            self.store = Store.open(data_dir)
        except StoreError as exc:
            raise CommandError(str(exc)) from None
        try:
            trainee = self.store.find_trainee(trainee_ref)
            if trainee is None:
                raise CommandError(f"no trainee '{trainee_ref}' in the records store; "
                                   f"add one with 'peer-trainer trainee add NAME'")
            self.trainee = trainee
            self.attempt_id = self.store.begin_attempt(trainee.id, scenario, mode)
        except StoreError as exc:
            self.store.close()
            raise CommandError(str(exc)) from None
        except CommandError:
            self.store.close()
            raise

    def save(self, state: Any) -> None:
        from trainer.cli.common import CommandError
        from trainer.records.store import StoreError

        try:
            self.store.save_progress(self.attempt_id, state)
        except StoreError as exc:
            raise CommandError(f"{exc} (the last saved turn is kept)") from None

    def finish(self, scenario: Any, state: Any, rubrics: Any) -> None:
        from trainer.cli.common import CommandError, emit
        from trainer.engine.results import summarize
        from trainer.records.store import StoreError

        severity = rubrics.flag_severity if rubrics is not None else None
        try:
            finished = self.store.finish_attempt(self.attempt_id, scenario, state, summarize(scenario, state, severity))
        except StoreError as exc:
            raise CommandError(str(exc)) from None
        emit(f"Recorded for {self.trainee.name} ({self.trainee.id}): ledger record {finished.ledger_seq}, "
             f"{finished.credited_hours:g} hours credited ({finished.credit_note})")

    def close(self) -> None:
        self.store.close()
