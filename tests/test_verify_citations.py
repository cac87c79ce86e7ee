"""manage.py verify_citations: every citation checked against its source's stored text."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sources.models import Source
from tests.conftest import cite, make_agreement, make_source

pytestmark = pytest.mark.django_db


def verify() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_citations", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_intact_citations_pass_and_textless_sources_are_counted_apart():
    agreement = make_agreement()
    cite(agreement, make_source(), "Shusha Declaration")
    cite(agreement, make_source(text=""), "Shusha Declaration")
    out, err = verify()
    assert "1 citations verified, 1 unverified (source without stored text), 0 broken." in out
    assert err == ""


def test_broken_citations_are_listed_and_fail_the_command():
    agreement = make_agreement()
    changed, edited = make_source(title="Changed"), make_source(title="Edited")
    lost = cite(agreement, changed, "Shusha Declaration")
    shifted = cite(agreement, edited, "Shusha Declaration")
    cite(agreement, make_source(), "mutual assistance")
    changed.text = "A text that no longer holds the passage."
    changed.save()  # re-anchored by the model: marked broken
    # Changed behind the model's back: the stored offsets now select other words.
    Source.objects.filter(pk=edited.pk).update(text="Preface. " + edited.text)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="2 citations are broken"):
        call_command("verify_citations", stdout=out, stderr=err)
    assert "1 citations verified, 0 unverified (source without stored text), 2 broken." in out.getvalue()
    assert f'citation #{lost.pk}, source #{changed.pk} "Changed"' in err.getvalue()
    assert f'citation #{shifted.pk}, source #{edited.pk} "Edited"' in err.getvalue()
