"""Reading recommendations pasted as text (recommendations/paste.py): no Django."""

import json
import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from recommendations import paste
from recommendations.paste import Item
from tests.seed import SLIDES

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "recommendations.json"


def fixture_items() -> list[Item]:
    """The eight as the fixture holds them, word for word."""
    rows = [o["fields"] for o in json.loads(FIXTURE.read_text(encoding="utf-8"))]
    return [
        Item(r["number"], r["title"], tuple(r["bullets"].split("\n")))
        for r in rows
        if "number" in r
    ]


def codes(parsed):
    return [(p.code, p.number, p.line) for p in parsed.problems]


# --- What it reads ------------------------------------------------------------------


def test_the_slides_text_gives_exactly_the_eight_of_the_fixture():
    parsed = paste.parse(SLIDES.read_text(encoding="utf-8"))
    assert parsed.problems == []
    assert len(parsed.items) == 8
    assert parsed.items == fixture_items()
    # The discussion slide before "1." is left out, and said so.
    assert parsed.skipped[0] == "Gruppdiskussion – 20 minuter"
    assert len(parsed.skipped) == 6
    assert parsed.starts[0] == 16  # "1. Formulera gemensamma mål" is line 16 of the file


def test_a_numbered_list_without_bullet_markers_has_one_point_per_line():
    text = (
        "1. Gemensamma mål\n"
        "En handlingsplan för båda länderna.\n"
        "Lär av pandemin.\n"
        "\n"
        "2. Snabbtåg Oslo–Stockholm\n"
        "\n"
        "3. Statistik\n"
        "Samordna SCB och SSB.\n"
    )
    parsed = paste.parse(text)
    assert parsed.problems == []
    assert parsed.items == [
        Item(1, "Gemensamma mål", ("En handlingsplan för båda länderna.", "Lär av pandemin.")),
        Item(2, "Snabbtåg Oslo–Stockholm"),
        Item(3, "Statistik", ("Samordna SCB och SSB.",)),
    ]
    assert parsed.skipped == []
    assert not parsed.numbered_for_you


def test_titles_only_one_per_line():
    parsed = paste.parse("1. Alfa\n2) Beta\n3. Gamma")
    assert parsed.items == [Item(1, "Alfa"), Item(2, "Beta"), Item(3, "Gamma")]


def test_a_list_without_numbers_is_numbered_for_you():
    parsed = paste.parse("Gemensamma mål\n\n• Snabbtåg\nStatistik\n")
    assert parsed.ok
    assert parsed.numbered_for_you
    assert parsed.items == [Item(1, "Gemensamma mål"), Item(2, "Snabbtåg"), Item(3, "Statistik")]


def test_dash_bullets_and_a_minus_sign_that_is_not_one():
    parsed = paste.parse("1. Klimat\n- Kalla vintrar\n-5 grader i snitt\n* Snö\n")
    assert parsed.items == [Item(1, "Klimat", ("Kalla vintrar -5 grader i snitt", "Snö"))]


def test_a_number_alone_takes_its_title_from_the_next_line():
    parsed = paste.parse("1.\nGemensamma mål\n• Handlingsplan\n\n2.\nTåg\n")
    assert parsed.items == [Item(1, "Gemensamma mål", ("Handlingsplan",)), Item(2, "Tåg")]


def test_line_breaks_of_any_program_and_a_byte_order_mark():
    text = "\ufeff1. Alfa\r\n• a\r\n\f2. Beta\r• b\u2028  c  \n"
    parsed = paste.parse(text)
    assert parsed.items == [Item(1, "Alfa", ("a",)), Item(2, "Beta", ("b c",))]


def test_a_gap_in_the_numbers_is_kept():
    parsed = paste.parse("2. Tåg\n5. Statistik")
    assert parsed.ok
    assert [i.number for i in parsed.items] == [2, 5]


def test_decimals_and_years_at_the_start_of_a_line_do_not_start_a_recommendation():
    parsed = paste.parse("1. Pendling\n• Andelen är\n2,6 % i Värmland\n• Sedan\n2020 fler")
    assert parsed.items == [Item(1, "Pendling", ("Andelen är 2,6 % i Värmland", "Sedan 2020 fler"))]


# --- What it refuses, each with its own reason ----------------------------------------------


def test_empty():
    for text in ["", "   ", "\n\n \t\n"]:
        parsed = paste.parse(text)
        assert codes(parsed) == [("empty", None, None)]
        assert not parsed.ok


def test_two_hundred_recommendations():
    text = "\n".join(f"{n}. Rekommendation nummer {n}" for n in range(1, 201))
    parsed = paste.parse(text)
    assert [(p.code, p.size, p.other) for p in parsed.problems] == [("too_many", 200, 30)]


def test_thirty_is_still_fine():
    text = "\n".join(f"{n}. Rekommendation nummer {n}" for n in range(1, 31))
    assert paste.parse(text).ok


def test_a_title_of_ten_thousand_characters():
    text = "1. Kort\n\n2. " + "x" * 10_000 + "\n• en punkt\n"
    parsed = paste.parse(text)
    assert [(p.code, p.number, p.line, p.size, p.other) for p in parsed.problems] == [
        ("title_too_long", 2, 3, 10_000, 200)
    ]


def test_a_title_of_two_hundred_characters_is_fine():
    assert paste.parse("1. " + "x" * 200).ok


def test_bullets_too_long_together():
    bullets = "\n".join("• " + "y" * 99 for _ in range(21))  # 21×99 + 20 line breaks = 2099
    parsed = paste.parse("1. Titel\n" + bullets)
    assert [(p.code, p.size) for p in parsed.problems] == [("bullets_too_long", 2099)]


def test_the_same_number_twice():
    parsed = paste.parse("1. Alfa\n2. Beta\n2. Gamma\n")
    assert codes(parsed) == [("duplicate_number", 2, 3)]


def test_the_same_title_twice_whatever_the_case_and_spacing():
    parsed = paste.parse("1. Gemensamma mål\n2. Tåg\n3. GEMENSAMMA   mål\n")
    assert [(p.code, p.number, p.line, p.other) for p in parsed.problems] == [
        ("duplicate_title", 3, 3, 1)
    ]


def test_numbers_that_go_down():
    parsed = paste.parse("1. Alfa\n3. Beta\n2. Gamma\n")
    assert [(p.code, p.number, p.other) for p in parsed.problems] == [("order", 2, 3)]


def test_number_zero_and_a_number_without_a_title():
    parsed = paste.parse("0. Noll\n1.\n")
    assert codes(parsed) == [("bad_number", 0, 1), ("no_title", 1, 2)]


def test_control_characters_name_the_first_line_and_count_the_lines():
    for char in ["\x00", "\x07", "\x1b", "\x7f", "\x9b"]:
        parsed = paste.parse(f"1. Alfa\n2. Be{char}ta\n• x{char}\n")
        assert [(p.code, p.line, p.size) for p in parsed.problems] == [("control", 2, 2)], char
        assert parsed.items == []


def test_a_tab_is_a_space_not_a_control_character():
    assert paste.parse("1.\tAlfa\n•\tett\tord").items == [Item(1, "Alfa", ("ett ord",))]


def test_text_too_long_as_a_whole():
    parsed = paste.parse("1. A\n" + "• b\n" * 30_000)
    assert [(p.code, p.size) for p in parsed.problems] == [("text_too_long", 120_005)]


# --- Properties ---------------------------------------------------------------------


def one_line(text: str) -> str:
    return paste.clean_line(text)


line_text = (
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs")),
        min_size=1,
        max_size=60,
    )
    .map(one_line)
    .filter(bool)
)


@st.composite
def item_lists(draw):
    titles = draw(
        st.lists(line_text, min_size=1, max_size=paste.MAX_ITEMS, unique_by=paste.same_title_key)
    )
    numbers = sorted(
        draw(
            st.lists(
                st.integers(1, paste.NUMBER_MAX),
                min_size=len(titles),
                max_size=len(titles),
                unique=True,
            )
        )
    )
    bullets = draw(
        st.lists(
            st.lists(line_text, max_size=5).map(tuple),
            min_size=len(titles),
            max_size=len(titles),
        )
    )
    return [Item(n, t, b) for n, t, b in zip(numbers, titles, bullets, strict=True)]


@settings(max_examples=300, deadline=None)
@given(item_lists())
def test_formatting_a_list_and_reading_it_back_gives_the_same_list(items):
    parsed = paste.parse(paste.format_items(items))
    assert parsed.problems == []
    assert parsed.items == items


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
def test_any_text_is_read_or_refused_with_a_reason_never_an_exception(text):
    parsed = paste.parse(text)
    if parsed.ok:
        assert 1 <= len(parsed.items) <= paste.MAX_ITEMS
        numbers = [i.number for i in parsed.items]
        assert numbers == sorted(set(numbers))
        for item in parsed.items:
            assert 0 < len(item.title) <= paste.TITLE_MAX
            assert len("\n".join(item.bullets)) <= paste.BULLETS_MAX
            for text_ in (item.title, *item.bullets):
                assert text_ == text_.strip()
                assert not any(unicodedata.category(c) == "Cc" for c in text_)
    else:
        assert parsed.problems
