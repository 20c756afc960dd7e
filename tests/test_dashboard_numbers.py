"""The dashboard's ranking rows format their numbers without the floatformat filter
(discussions.templatetags.dashboard.decimals); they must show what it shows."""

from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.formats import get_format
from hypothesis import given
from hypothesis import strategies as st

from discussions.templatetags.dashboard import decimals

# Borda points, mean places and first places: whole numbers, halves, and means over
# any number of ballots, up to a hall's Borda total; and other floats, bar those
# with over 200 digits written out (1e-300), which the filter returns unformatted.
numbers = st.one_of(
    st.integers(0, 20000).map(float),
    st.integers(0, 40000).map(lambda n: n / 2),
    st.tuples(st.integers(0, 10**6), st.integers(1, 4000)).map(lambda t: t[0] / t[1]),
    st.floats(-1, 1e6, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-100),
)


@given(value=numbers, language=st.sampled_from(["sv", "nb", "en"]))
def test_decimals_shows_what_floatformat_shows(value, language):
    with translation.override(language):
        point = get_format("DECIMAL_SEPARATOR")
        for places in (1, 2):
            assert decimals(value, point, places) == floatformat(value, places)
            assert decimals(value, point, places, trim=True) == floatformat(value, -places)


def test_none_is_empty_as_with_the_filter():
    assert decimals(None, ",") == floatformat(None, 1) == ""


def test_half_up_like_the_filter_not_half_even():
    # 3.25 is exact in binary: round() would give 3.2, floatformat gives 3.3.
    assert decimals(3.25, ",") == "3,3"
    assert decimals(2.0, ",", trim=True) == "2"
    assert decimals(2.0, ",") == "2,0"
