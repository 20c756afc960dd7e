"""Database ids from URLs and forms."""


class IdConverter:
    """Like Django's int, but at most 18 digits: every such id fits a 64-bit column.

    An id past 2**63 - 1 made SQLite raise OverflowError (a 500) in lookups on a
    foreign key; now such a URL matches nothing and is a 404 like any unknown id.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


def id_or_none(raw) -> int | None:
    """An id from a form field or a query parameter; anything else (text, zero, a
    number past a 64-bit column) is None."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if 0 < value < 2**62 else None
