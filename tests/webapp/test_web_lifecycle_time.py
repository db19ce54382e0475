"""The lifecycles page shows each definition's deadlines and escalation ladder, in zh and en,
read from the registry (so a new step shows without touching the page)."""

from __future__ import annotations

import html as html_module
import re

from tests.webapp.web_support import text_of
from workflow.catalog import AUDIENCE_LABELS, CLOCK_LABELS, SEVERITIES


def section(page: str, key: str) -> str:
    match = re.search(rf'<section class="card" id="{key}">(.*?)</section>', page, re.S)
    assert match, key
    return html_module.unescape(match.group(1))


def test_every_ladder_step_is_listed_with_its_moment_audience_and_level(browser, registry):
    user = browser("admin")  # the step's engine name shows to admins only
    for lang, index in (("zh", 0), ("en", 1)):
        user.post("/language", data={"lang": "en" if lang == "en" else "zh_CN", "next": "/"})
        page = text_of(user.get("/lifecycles"))
        for lc in registry.all():
            part = section(page, f"{lc.name}-{lc.version}")
            heading = "督办升级规则" if lang == "zh" else "Escalation ladder"
            assert (heading in part) == bool(lc.ladder)
            for step in lc.ladder:
                row = re.search(rf"<tr>\s*<td>{re.escape(step.label(lang))}<br><code>"
                                rf"{step.name}</code></td>(.*?)</tr>", part, re.S)
                assert row, (lc.key, step.name)
                cells = row.group(1)
                assert CLOCK_LABELS[step.clock][index] in cells
                for audience in step.notify:
                    assert AUDIENCE_LABELS[audience][index] in cells
                assert f"<td>{step.level or '—'}" in cells
                assert (("建议问责" if lang == "zh" else "accountability proposed") in cells) \
                    == step.accountability
                assert f"{abs(step.at)} " in cells or step.at == 0
            for severity, days in lc.deadlines.rectify.items():
                label = SEVERITIES[severity][index]
                assert f"{label} {days} {'天' if lang == 'zh' else 'days'}" in part


def test_the_standard_ladder_reads_as_its_users_know_it(browser):
    page = section(text_of(browser("handler_a").get("/lifecycles")), "standard-2")
    assert "天数按工作日（含法定节假日与调休）计算" in page
    assert "交办后 1 天内签收" in page and "报送整改后 5 天内完成复查" in page
    assert "整改期限 前 3 天" in page and "整改期限 后 14 天" in page and "签收时限 后 1 天" in page


def test_the_api_gives_each_lifecycle_its_deadlines_and_ladder(api, org, registry):
    for item in api.get("/api/v1/lifecycles", org.handler_a).get_json():
        lc = registry.get(item["name"], item["version"])
        assert item["deadlines"] == {
            "basis": lc.deadlines.basis, "rectify": dict(lc.deadlines.rectify),
            "acknowledge": lc.deadlines.acknowledge, "review": lc.deadlines.review,
            "lookback": lc.deadlines.lookback}
        assert [(s["name"], s["label"], s["clock"], s["at"], s["notify"], s["level"],
                 s["accountability"]) for s in item["ladder"]] == [
            (s.name, s.zh, s.clock, s.at, list(s.notify), s.level, s.accountability)
            for s in lc.ladder]
    standard = api.get("/api/v1/lifecycles/standard/2", org.handler_a).get_json()
    assert standard["deadlines"]["rectify"] == {"high": 7, "medium": 10, "low": 15}
    assert [s["name"] for s in standard["ladder"]][:3] == ["not_acknowledged", "due_soon",
                                                           "due_today"]
