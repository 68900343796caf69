"""The one way a write says no: every service raises these, every view shows them."""


class Refused(Exception):
    """A write the domain does not allow; the message says why, in words for the person asking
    (and ``field`` names the form field it is about, if one)."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEdit(Refused):
    """Someone saved the object after the editor opened it; their save is refused."""

    def __init__(self, current, changes):
        super().__init__("The object was changed by someone else.")
        self.current = current
        self.changes = changes


class Repeated(Refused):
    """The form was posted before, and that post made a record: nothing new is made.

    ``made`` is that record (None if it has been removed since); the message says when it was
    saved. A caller that knows no better shows it as any refusal: nothing is saved twice."""

    def __init__(self, message, made):
        super().__init__(message)
        self.made = made
