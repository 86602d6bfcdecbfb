import pytest

from tandem.errors import InputError
from tandem.settings import Settings


@pytest.mark.parametrize("code", ["ru", "ja", "de", "fr", "zh", "eo"])
def test_real_language_codes_are_accepted(code):
    assert Settings(targets=(code,)).targets == (code,)


@pytest.mark.parametrize("code", ["xx", "qq", "zz", "abc"])
def test_unknown_language_codes_are_refused(code):
    with pytest.raises(InputError, match=f"unknown language code {code!r}"):
        Settings(targets=("ru", code))
