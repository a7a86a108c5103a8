"""One line saying whether the trainee's records have reached the program's LRS.

Hidden unless sending is set up (`lrs.yaml` with `auto_push: true`), and in the instructor's
preview, which records nothing. It follows the app's `sending` state; the app's handlers
change that state, this only draws it.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from trainer.tui.sending import SendingStatus

LEVELS = ("ok", "waiting", "problem")


class RecordsStatus(Static):
    def on_mount(self) -> None:
        if isinstance(getattr(self.app, "sending", None), SendingStatus):
            self.watch(self.app, "sending", self.show_status)
        else:
            self.display = False

    def show_status(self, status: SendingStatus) -> None:
        line = status.line()
        self.display = bool(line)
        self.update(Text(line))  # the LRS's words are shown as text, never as markup
        for level in LEVELS:
            self.set_class(status.level == level, f"-{level}")
