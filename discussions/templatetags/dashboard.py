"""The dashboard's one hot loop, drawn in Python.

The matrix of groups × recommendations is forty cells a row at a conference, each
with a localised number in its title, and the live region redraws it every few
seconds: as template nodes it was a fifth of the dashboard's time.
"""

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()
_NO_CELL = mark_safe('<td class="f-num muted">–</td>')


@register.simple_tag
def matrix_cells(mrow):
    """One <td> per group: its Schulze place of this row's recommendation, with the
    mean place as the title; a dash for a group without ballots."""
    mean = gettext("medelplats")
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<td class="f-num f-place f-place-{}" title="{} {}">{}</td>',
                    cell.schulze_position,
                    mean,
                    "" if cell.mean_rank is None else number_format(cell.mean_rank, 1),
                    cell.schulze_position,
                )
                if cell
                else _NO_CELL,
            )
            for cell in mrow.cells
        ),
    )
