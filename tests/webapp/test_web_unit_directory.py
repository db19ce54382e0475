"""The admin's units directory (/admin/units): one level of the tree a page at a time (at most
50 units rendered), a unit's children behind a plain link with the path above them, the
picker's search, and each unit's rename, move and deactivate links."""

from __future__ import annotations

import re

import pytest
from web_support import add_sites, text_of, ui

PAGE = 50  # workflow.services.unit_directory.PAGE_SIZE: the most units a page renders


def listed(html: str) -> list[str]:
    """The unit codes the directory lists, in order."""
    block = html.split('id="unit-directory"')[1].split("</ul>")[0]
    return re.findall(r'<small class="muted">([^ <]+) · ', block)


def test_the_top_shows_the_roots_and_a_unit_opens_behind_a_link(browser, org):
    admin = browser("admin")
    top = text_of(admin.get("/admin/units"))
    assert listed(top) == ["COMM"] and "甲集团" not in top
    assert f'href="/admin/units?parent={org.commission.id}"' in top
    html = text_of(admin.get(f"/admin/units?parent={org.group_a.id}"))
    assert listed(html) == ["GA-1", "GA-2"]
    crumbs = html.split('class="crumbs"')[1].split("</nav>")[0]
    assert f'href="/admin/units?parent={org.commission.id}">纪委监委</a>' in crumbs
    assert f'href="/admin/units?parent={org.inspection_body.id}">第一纪检监察组</a>' in crumbs
    assert '<span aria-current="page">甲集团</span>' in crumbs
    edit = f"/admin/units/{org.sub_a1.id}"
    for target in (edit, edit + "#move-form", edit + "#active-form"):
        assert f'href="{target}"' in html  # rename, move, deactivate
    assert "?parent=" + str(org.sub_a1.id) not in html  # no children, no link to them


def test_a_level_is_paged_fifty_units_at_a_time(browser, rectify, org):
    add_sites(rectify, org.group_b.id, 120)
    admin = browser("admin")
    pages = [text_of(admin.get(f"/admin/units?parent={org.group_b.id}&page={n}"))
             for n in (1, 2, 3)]
    assert [len(listed(p)) for p in pages] == [PAGE, PAGE, 21]  # GB-1 and 120 sites
    every = [code for p in pages for code in listed(p)]
    assert sorted(every) == sorted(["GB-1", *(f"SITE-{n:03}" for n in range(120))])
    assert all(f"站点{code[5:].lstrip('0') or 0}号" not in pages[0]
               for code in listed(pages[1]))  # a page shows its units only
    assert 'rel="prev"' not in pages[0]
    assert f'rel="next" href="/admin/units?page=2&amp;parent={org.group_b.id}"' in pages[0]
    assert 'rel="next"' not in pages[2]
    assert f'rel="prev" href="/admin/units?page=2&amp;parent={org.group_b.id}"' in pages[2]


def test_the_search_finds_by_code_or_name_with_the_path(browser, rectify, org):
    add_sites(rectify, org.group_a.id, 60)
    admin = browser("admin")
    html = text_of(admin.get("/admin/units?q=GA-"))
    assert listed(html) == ["GA-1", "GA-2"] and "纪委监委 / 第一纪检监察组 / 甲集团" in html
    assert listed(text_of(admin.get("/admin/units?q=甲二"))) == ["GA-2"]
    first, second = (text_of(admin.get(f"/admin/units?q=站点&page={n}")) for n in (1, 2))
    assert (len(listed(first)), len(listed(second))) == (PAGE, 10)
    assert 'rel="next" href="/admin/units?page=2&amp;q=%E7%AB%99%E7%82%B9"' in first


@pytest.mark.parametrize(("query", "field"), [("parent=abc", "parent"), ("page=0", "page"),
                                              ("page=x", "page"), ("q=" + "x" * 101, "q")])
def test_a_bad_argument_is_named_and_the_top_shown(app, browser, org, query, field):
    page = browser("admin").get(f"/admin/units?{query}")
    html = text_of(page)
    assert page.status_code == 200 and listed(html) == ["COMM"]
    assert '<p class="error" role="alert">' in html


def test_a_new_unit_defaults_to_the_opened_one_as_parent(app, browser, org):
    html = text_of(browser("admin").get(f"/admin/units?parent={org.group_b.id}"))
    form = html.split(ui(app, "New unit"))[1]
    assert f'<input type="hidden" name="parent_id" value="{org.group_b.id}">' in form
    assert ui(app, "Units under %(name)s", name="乙集团") in html
