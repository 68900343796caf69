"""How a person who signs in is named on pages, in history and in messages: one rule, one place."""

NOBODY = "The system"


def person_name(user, nobody=NOBODY):
    """A user's full name, else their username; ``nobody`` when there is no user (or no name).

    Names read from ``.values()`` rows (no User object) go through ``name_from_parts`` below, so
    both follow this rule.
    """
    if not user:  # None, or a template's missing variable
        return nobody
    return name_from_parts(
        getattr(user, "first_name", ""), getattr(user, "last_name", ""), user.get_username(), nobody
    )


def name_from_parts(first_name, last_name, username, nobody=NOBODY):
    """The same rule for a user's columns read without loading the user."""
    return f"{first_name or ''} {last_name or ''}".strip() or username or nobody


def sign_in_label(user):
    """A sign-in as a manager picks it: the username, and the person's name when it says more."""
    name = person_name(user, nobody="")
    username = user.get_username()
    return f"{username} ({name})" if name and name != username else username
