"""Training records: the store, hour crediting, the ledger, exports and certificates.

Nothing here imports Textual; the TUI, the headless commands and the tests are all clients.
"""

from trainer.records.models import (
    Attempt,
    CreditEntry,
    FinishedAttempt,
    HoursSummary,
    RequirementProgress,
    Trainee,
    UnfinishedAttempt,
)
from trainer.records.policy import Policy, PolicyError, load_policy
from trainer.records.store import AttemptError, Store, StoreError

__all__ = [
    "Attempt", "AttemptError", "CreditEntry", "FinishedAttempt", "HoursSummary", "Policy", "PolicyError",
    "RequirementProgress", "Store", "StoreError", "Trainee", "UnfinishedAttempt", "load_policy",
]
