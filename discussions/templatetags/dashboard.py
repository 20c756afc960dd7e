"""The dashboard's one hot loop, drawn in Python.

The matrix of groups × recommendations is forty cells a row at a conference, each
with a localised number in its title, and the live region redraws it every few
seconds: as template nodes it was a fifth of the dashboard's time.
"""

from django import template
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()
_NO_CELL = mark_safe('<td class="f-num muted">–</td>')


@register.simple_tag
def matrix_cells(mrow):
    """One <td> per group: its Schulze place of this row's recommendation, with the
    mean place as the title; a dash for a group without ballots. Only integers and
    a localised number go into the markup, besides the escaped label."""
    label = escape(gettext("medelplats"))
    cells = []
    for cell in mrow.cells:
        if not cell:
            cells.append(_NO_CELL)
            continue
        place = int(cell.schulze_position)
        mean = "" if cell.mean_rank is None else escape(number_format(cell.mean_rank, 1))
        cells.append(
            f'<td class="f-num f-place f-place-{place}" title="{label} {mean}">{place}</td>'
        )
    return mark_safe("".join(cells))
