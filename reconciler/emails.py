"""The one email normalisation: validate, plan, apply and recovery all compare emails with it.

`lower()`, not `casefold()`: casefold folds `ß` into `ss`, so `STRASSE@` and `straße@` would be
one member for validate but two for the API run (an owner that never resolves). Lower-casing
keeps distinct mailboxes distinct and is how Calendly's own listings spell emails.
"""

from __future__ import annotations


def email_key(email: str) -> str:
    return email.strip().lower()
