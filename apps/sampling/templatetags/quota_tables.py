"""``{% load quota_tables %}``: the repeated rows of the quota pages' tables (``templates/sampling/plans/
quota_township.html``, ``quota_overview.html``), written out in Python.

A township page has ~60 rows and ~600 values (most of them links to the rows they count); through the template
language each value costs a variable look-up, a filter or two and an escape, about 2 ms a page (issue 10 point 11:
the page within 2× its SQL floor). Here each row is one f-string: text (names, URLs) is HTML-escaped, numbers are
written as ``{{ n }}`` writes them under ``{% localize off %}`` (``str``), ``intcomma`` as the ``numbers`` filter
does, and ``None`` as "—" where the templates used ``default_if_none:"—"``. The markup (``data-label`` of every cell
for ``.table-stack`` at phone width, the badges) is the same as the templates had; the surrounding table, its head
and its caption stay in the templates."""

from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.common.templatetags.numbers import group_digits

register = template.Library()

DASH = "—"
COVERED = '<span class="badge text-bg-success">已覆盖</span>'
NOT_COVERED = '<span class="badge text-bg-warning">未抽样</span>'
MUTED = ' class="text-muted"'


def _n(value) -> str:
    """A number as ``{{ value }}`` writes it with localization off; ``None`` as "—"."""
    return DASH if value is None else str(value)


def _c(value) -> str:
    """``value|default_if_none:"—"|intcomma``."""
    return DASH if value is None else str(group_digits(value))


def _pct(value) -> str:
    """``{{ pct|default_if_none:"—" }}{% if pct is not None %}%{% endif %}``."""
    return DASH if value is None else f"{value}%"


@register.simple_tag
def quota_month_rows(rows) -> str:
    """The burn-down table's rows (``data.month_rows``: food and monitoring of each month)."""
    out = []
    for row in rows:
        m, mon = row["food"], row["monitoring"]
        future = m["future"]
        out.append(
            f"\n        <tr{MUTED if future else ''}>\n"
            f'          <td data-label="月份" class="cell-heading"><span>{m["month"]} 月{"（未到）" if future else ""}</span></td>\n'
            f'          <td class="num" data-label="食品抽检应完成（累计）"><span>{_n(m["cum_target"])}</span></td>\n'
            f'          <td class="num" data-label="食品抽检计划"><a href="{escape(m["planned_url"])}">{m["planned"]}</a></td>\n'
            f'          <td class="num" data-label="食品抽检已完成"><a href="{escape(m["done_url"])}">{m["done"]}</a></td>\n'
            f'          <td class="num" data-label="食品抽检累计"><span>{m["cum_done"]}</span></td>\n'
            f'          <td class="num" data-label="风险监测应完成（累计）"><span>{_n(mon["cum_target"])}</span></td>\n'
            f'          <td class="num" data-label="风险监测计划"><a href="{escape(mon["planned_url"])}">{mon["planned"]}</a></td>\n'
            f'          <td class="num" data-label="风险监测已完成"><a href="{escape(mon["done_url"])}">{mon["done"]}</a></td>\n'
            f'          <td class="num" data-label="风险监测累计"><span>{mon["cum_done"]}</span></td>\n'
            "        </tr>\n        "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number


@register.simple_tag
def quota_category_rows(categories) -> str:
    """The 大类 coverage table's rows (``data.categories``), or its one "none" row."""
    if not categories:
        return mark_safe('<tr><td colspan="6" class="text-muted">抽检食品分类中没有启用的大类。</td></tr>')
    out = []
    for c in categories:
        category = c["category"]
        out.append(
            "\n      <tr>"
            f'<td data-label="食品大类" class="cell-heading"><span>{escape(category.name)}</span></td>'
            f'<td class="num" data-label="风险程度"><span>{category.hazard}</span></td>'
            f'<td class="num" data-label="食品抽检配额份额"><span>{_n(c["food_quota"])}</span></td>'
            f'<td class="num" data-label="食品抽检已完成"><a href="{escape(c["food_url"])}">{c["food"]}</a></td>'
            f'<td class="num" data-label="风险监测已完成"><a href="{escape(c["monitoring_url"])}">{c["monitoring"]}</a></td>'
            f'<td data-label="覆盖">{COVERED if c["samples"] else NOT_COVERED}</td>'
            "</tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number


@register.simple_tag
def quota_kind_rows(kinds) -> str:
    """The business-type coverage table's rows (``data.kinds``), or its one "none" row."""
    if not kinds:
        return mark_safe('<tr><td colspan="5" class="text-muted">本镇街暂无营业中的检查对象。</td></tr>')
    out = []
    for k in kinds:
        url = escape(k["url"])
        out.append(
            "\n          <tr>"
            f'<td data-label="业态" class="cell-heading"><span>{escape(k["business_type"].name)}</span></td>'
            f'<td class="num" data-label="营业中对象"><a href="{escape(k["operating_url"])}">{_c(k["operating"])}</a></td>'
            f'<td class="num" data-label="已抽样对象"><a href="{url}">{k["enterprises"]}</a></td>'
            f'<td class="num" data-label="抽样批次"><a href="{url}">{k["samples"]}</a></td>'
            f'<td data-label="覆盖">{COVERED if k["samples"] else NOT_COVERED}</td>'
            "</tr>\n        "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number


@register.simple_tag
def quota_township_rows(rows, categories_total) -> str:
    """The overview's rows (``data.rows``: one per township)."""
    out = []
    for r in rows:
        q = r["quota"]
        page = escape(r["page_url"])
        if q.population:
            population = _c(q.population.population)
            if q.is_estimate:
                population += f' <span class="badge badge-estimate" title="{escape(q.population.source)}">估算</span>'
        else:
            population = '<span class="text-danger">缺少</span>'
        food, mon = r["kinds"]["food"], r["kinds"]["monitoring"]
        out.append(
            "\n        <tr>\n"
            f'          <td data-label="镇街" class="cell-heading"><a href="{page}">{escape(r["township"].name)}</a></td>\n'
            f'          <td class="num" data-label="常住人口"><span>{population}</span></td>\n'
            f'          <td class="num" data-label="食品抽检配额"><span>{_c(food["quota"])}</span></td>\n'
            f'          <td class="num" data-label="食品抽检已完成"><a href="{escape(food["url"])}">{_c(food["done"])}</a></td>\n'
            f'          <td class="num" data-label="食品抽检完成率"><span>{_pct(food["pct"])}</span></td>\n'
            f'          <td class="num" data-label="食品抽检每千人"><span>{_n(food["per_thousand"])}</span></td>\n'
            f'          <td class="num" data-label="风险监测配额"><span>{_c(mon["quota"])}</span></td>\n'
            f'          <td class="num" data-label="风险监测已完成"><a href="{escape(mon["url"])}">{_c(mon["done"])}</a></td>\n'
            f'          <td class="num" data-label="风险监测完成率"><span>{_pct(mon["pct"])}</span></td>\n'
            f'          <td class="num" data-label="风险监测每千人"><span>{_n(mon["per_thousand"])}</span></td>\n'
            f'          <td class="num" data-label="已覆盖大类"><span><a href="{page}#categories">{r["categories_covered"]}</a>'
            f" / {categories_total}</span></td>\n"
            "        </tr>\n        "
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number
