"""The editors' admin: every curated model, its citations inline and the publishing rule.

Registration happens on import of the modules below (Django autodiscovers this package).
"""

from . import agreements, claims, reference  # noqa: F401
