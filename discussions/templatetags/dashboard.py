"""The dashboard's hot loops, drawn in Python.

The matrix of groups × recommendations is forty cells a row at a conference, each
with a localised number in its title, and the entry lists are nine lists of fifteen
rows with a form each; the live region redraws them every few seconds. As template
nodes the matrix was a fifth of the dashboard's time and the entries a third. The
ranking tables' rows (forty-one tables of eight rows, each with a histogram) were
most of a redraw after a busy hall changed every group, and the forty groups'
summaries (a plural, W and the Kemeny order each) a tenth of it once their
tables were drawn only when open.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext

register = template.Library()
_NO_CELL = mark_safe('<td class="f-num muted">–</td>')


@register.simple_tag
def matrix_cells(mrow):
    """One <td> per group: its Schulze place of this row's recommendation, with the
    mean place as the title; a dash for a group without ballots. Only integers and
    a localised number go into the markup, besides the escaped label."""
    label = escape(gettext("medelplats"))
    point = get_format("DECIMAL_SEPARATOR")
    cells = []
    for cell in mrow.cells:
        if not cell:
            cells.append(_NO_CELL)
            continue
        place = int(cell.schulze_position)
        # As the group's table shows it: number_format cuts 3.75 off to 3,7.
        mean = escape(decimals(cell.mean_rank, point))
        cells.append(
            f'<td class="f-num f-place f-place-{place}" title="{label} {mean}">{place}</td>'
        )
    return mark_safe("".join(cells))


@register.simple_tag(takes_context=True)
def entry_items(context, rows, base):
    """The <li> of each entry row: its +1s, text, what was merged into it, group, and
    the hide and merge actions under the URL prefix `base` (entry_urls in
    facilitator_views). Nine lists of fifteen on every redraw, each row with a form:
    as template nodes they were a third of the dashboard's time. Every text that
    people wrote goes through escape()."""
    csrf = CsrfTokenNode().render(context)
    plus_title = escape(gettext("antal +1"))
    merged_label = escape(gettext("Sammanslaget med"))
    hide = escape(gettext("Dölj"))
    merge = escape(gettext("Slå ihop…"))
    base = escape(base)
    items = []
    for row in rows:
        entry = row.entry
        url = f"{base}{int(entry.pk)}/"
        merged = ""
        if row.merged:
            quoted = ", ".join(f"<q>{escape(m.text)}</q>" for m in row.merged)
            merged = f' <span class="f-merged">{merged_label}: {quoted}</span>'
        items.append(
            '<li class="f-entry">'
            f'<span class="f-entry-plus" title="{plus_title}">+{int(row.endorsements)}</span> '
            f'<span class="f-entry-text">{escape(entry.text)}{merged}</span> '
            f'<span class="f-entry-group">{escape(row.group_name)}</span> '
            '<span class="f-entry-actions">'
            f'<form method="post" action="{url}hide/" hx-post="{url}hide/" hx-swap="none">'
            f'{csrf}<input type="hidden" name="hidden" value="1">'
            f'<button type="submit" class="f-small secondary">{hide}</button></form> '
            f'<a class="button f-small secondary" href="{url}merge/">{merge}</a>'
            "</span></li>\n"
        )
    return mark_safe("".join(items))


def decimals(value: float | None, point: str, places: int = 1, trim: bool = False) -> str:
    """What floatformat:places (trim: floatformat:"-places", no decimals for a whole
    number) shows for a float, with `point` as the decimal separator: the same
    digits (half up, from the float's shortest repr), without the filter's general
    machinery, which was a third of the ranking rows' time. "" for None."""
    if value is None:
        return ""
    exact = Decimal(repr(float(value)))
    if trim and exact == exact.to_integral_value():
        return str(int(exact))
    rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    # The filter shows no minus sign on a zero ("-0.0" and -0.04 show as 0.0).
    return str(rounded if rounded else abs(rounded)).replace(".", point)


@register.simple_tag
def group_summary(table):
    """A group's <summary> on the dashboard: its name, how many ranked, W and the
    Kemeny order. Forty of them on every redraw, drawn closed or open."""
    n = int(table.ballots)
    parts = [ngettext("%(n)s rangordning", "%(n)s rangordningar", n) % {"n": n}]
    if table.agreement is not None:
        parts.append(f"W = {decimals(table.agreement, get_format('DECIMAL_SEPARATOR'), 2)}")
    if n:
        order = " › ".join(str(int(rec.number)) for rec in table.kemeny)
        parts.append(f"{gettext('Kemeny')}: {order}")
    return mark_safe(
        f"<summary>\n  <strong>{escape(table.group.name)}</strong>\n"
        f'  <span class="muted">{escape(" · ".join(parts))}</span>\n</summary>'
    )


@register.simple_tag
def ranking_rows(table):
    """The <tr> of each row of a results.Table: place, recommendation, Borda bar and
    points, mean place, first places, Kemeny place and the histogram of places.
    Numbers are localised as the template's floatformat did (see decimals); the
    SVG's coordinates are not (a decimal comma would break them). The
    recommendation's title is escaped like every other text."""
    point = get_format("DECIMAL_SEPARATOR")
    rows = []
    for row in table.rows:
        width = int(row.histogram_width)
        bars = "".join(
            f'<rect x="{int(bar.x)}" y="{bar.y}" width="8" height="{bar.height}"'
            + (' class="f-first"' if index == 0 else "")
            + "></rect>"
            for index, bar in enumerate(row.bars)
        )
        kemeny = "–" if row.kemeny_position is None else int(row.kemeny_position)
        rows.append(
            "<tr>"
            f'<td class="f-num f-pos">{int(row.schulze_position)}</td>'
            f'<th scope="row" class="f-rec-cell"><span class="rec-number">'
            f"{escape(row.rec.number)}.</span> {escape(row.rec.title)}</th>"
            '<td class="f-bar-col"><span class="f-bar-wrap"><span class="f-bar" aria-hidden="true">'
            f'<span class="f-bar-fill f-w-{int(row.borda_step)}"></span></span>'
            f'<span class="f-bar-value">{decimals(row.borda, point, trim=True)}</span>'
            "</span></td>"
            f'<td class="f-num">{decimals(row.mean_rank, point)}</td>'
            f'<td class="f-num">{decimals(row.first_places, point, trim=True)}</td>'
            f'<td class="f-num">{kemeny}</td>'
            '<td class="f-dist-cell">'
            f'<svg class="f-dist" viewBox="0 0 {width} 24" width="{width}" height="24"'
            ' preserveAspectRatio="none" role="img">'
            f"<title>{escape(row.histogram_title)}</title>{bars}"
            f'<line x1="0" y1="23.5" x2="{width}" y2="23.5"></line></svg></td>'
            "</tr>\n"
        )
    return mark_safe("".join(rows))


# The groups' rows and columns outside the matrix's cells: forty groups, each a few
# template variables in a loop, were a fifth of a redraw's template time.


@register.simple_tag
def participation_rows(participation):
    """The <tr> of each results.Participation: group, joined, ranked, wrote."""
    return mark_safe(
        "".join(
            f'<tr><th scope="row">{escape(p.group.name)}</th><td class="f-num">{int(p.joined)}</td>'
            f'<td class="f-num">{int(p.ranked)}</td><td class="f-num">{int(p.wrote)}</td></tr>\n'
            for p in participation
        )
    )


@register.simple_tag
def group_heads(tables):
    """The matrix's column heads: each group's name."""
    return mark_safe(
        "".join(f'<th scope="col" class="f-num">{escape(t.group.name)}</th>' for t in tables)
    )


@register.simple_tag
def agreement_cells(tables):
    """Each group's Kendall's W, as floatformat:2 shows it; a dash for none."""
    point = get_format("DECIMAL_SEPARATOR")
    return mark_safe(
        "".join(
            '<td class="f-num">'
            + ("–" if t.agreement is None else decimals(t.agreement, point, 2))
            + "</td>"
            for t in tables
        )
    )


@register.simple_tag
def ballot_cells(tables):
    """How many ranked in each group."""
    return mark_safe("".join(f'<td class="f-num">{int(t.ballots)}</td>' for t in tables))


@register.simple_tag
def closed_group(table):
    """A group's <details> drawn closed: its summary, and its table fetched when
    the facilitator opens it (facilitator.js)."""
    pk = int(table.group.pk)
    waiting = ""
    if table.ballots:
        # Outside the f-string, where makemessages can see it.
        text = escape(gettext("Hämtar gruppens tabell …"))
        waiting = f'\n  <p class="muted">{text}</p>'
    return mark_safe(
        f'<details id="group-{pk}" class="dash-group" data-group="{pk}" data-lazy>\n'
        f"{group_summary(table)}{waiting}\n</details>\n"
    )
