"""The bulk world's directory: a ~5,000-unit provincial tree, its people, campaigns, inspections."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, select, text
from werkzeug.security import generate_password_hash

from workflow.models import Campaign, Inspection, Unit, User

PASSWORD = "benchmark-password"  # every generated user's (hashed once, cheaply)
CITIES = (("南京", "Nanjing", "NJ"), ("无锡", "Wuxi", "WX"), ("徐州", "Xuzhou", "XZ"),
          ("常州", "Changzhou", "CZ"), ("苏州", "Suzhou", "SZ"), ("南通", "Nantong", "NT"),
          ("连云港", "Lianyungang", "LYG"), ("淮安", "Huai'an", "HA"), ("盐城", "Yancheng", "YC"),
          ("扬州", "Yangzhou", "YZ"), ("镇江", "Zhenjiang", "ZJ"), ("泰州", "Taizhou", "TZ"),
          ("宿迁", "Suqian", "SQ"))
DISTRICTS = ("城东", "城西", "城南", "城北", "高新", "经开", "滨湖", "新城", "江北", "临港")
INDUSTRIES = (("交通投资集团", "Transport Investment Group"), ("城建集团", "Urban Construction Group"),
              ("水务集团", "Water Group"), ("文旅集团", "Culture and Tourism Group"))
SITES = (("第{n}中学", "No. {n} Middle School"), ("人民医院第{n}分院", "People's Hospital branch {n}"),
         ("第{n}农贸市场", "Farmers' market {n}"), ("第{n}街道办事处", "Sub-district office {n}"),
         ("市场监管所第{n}所", "Market supervision station {n}"), ("第{n}社区卫生服务中心",
                                                         "Community health centre {n}"))
BRANCHES = (("第{n}分公司", "branch {n}"), ("第{n}项目部", "project office {n}"))
METHODS = ("onsite", "unannounced", "online")


@dataclass
class Tree:
    """What the findings need of the directory: who raises, handles and checks what, where."""

    leaves: list[int] = field(default_factory=list)  # units findings are raised against
    parent: dict[int, int] = field(default_factory=dict)
    body_of: dict[int, int] = field(default_factory=dict)  # leaf -> its inspecting body
    ancestors: dict[int, list[int]] = field(default_factory=dict)  # leaf -> units above it
    people: dict[tuple[int, str], int] = field(default_factory=dict)  # (unit, role) -> user
    inspections: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # leaf -> (insp, camp)
    groups: list[int] = field(default_factory=list)  # 集团 units: the "one group" dashboard
    names: dict[int, tuple[str, str, str]] = field(default_factory=dict)  # id -> code, zh, en
    root: int = 0

    def person(self, unit_id: int, role: str) -> int:
        return self.people[(unit_id, role)]


class TreeWriter:
    """Assigns ids itself (from the tables' current maximum) so paths need no round trip."""

    def __init__(self, conn: Connection, size: int) -> None:
        self.conn, self.size, self.tree = conn, size, Tree()
        self.units: list[dict[str, Any]] = []
        self.path: dict[int, str] = {}
        self.next_id = (conn.scalar(select(func.max(Unit.id))) or 0) + 1

    def unit(self, code: str, zh: str, en: str, kind: str, parent: int | None,
             prefix: str = "") -> int:
        uid, self.next_id = self.next_id, self.next_id + 1
        self.path[uid] = f"{self.path[parent] if parent else '/'}{uid}/"
        self.units.append({"id": uid, "code": code, "name_zh": zh, "name_en": en, "kind": kind,
                           "parent_id": parent, "path": self.path[uid], "active": True,
                           "doc_prefix": prefix})
        self.tree.names[uid] = (code, zh, en)
        if parent:
            self.tree.parent[uid] = parent
        return uid

    def leaf(self, parent: int, body: int, code: str, zh: str, en: str, kind: str) -> None:
        uid = self.unit(code, zh, en, kind, parent)
        self.tree.leaves.append(uid)
        self.tree.body_of[uid] = body
        ancestors, up = [], parent
        while up:
            ancestors.append(up)
            up = self.tree.parent.get(up, 0)
        self.tree.ancestors[uid] = ancestors

    def build(self) -> Tree:
        """Province commission > 13 city commissions > districts (commissions) and city groups
        > sites and branches, sized so the whole tree holds about `size` units."""
        per = max(1, (self.size - 200) // (len(CITIES) * (len(DISTRICTS) + len(INDUSTRIES))))
        root = self.tree.root = self.unit("JS", "江苏省纪委监委", "Jiangsu Provincial Commission",
                                          "commission", None, "苏纪提")
        for zh, en, code in CITIES:
            city = self.unit(f"JS-{code}", f"{zh}市纪委监委", f"{en} City Commission",
                             "commission", root, f"{zh[0]}纪提")
            for k, district in enumerate(DISTRICTS, 1):
                self.district(city, f"JS-{code}-D{k:02d}", f"{zh}市{district}区",
                              f"{en} {district}", per)
            for k, names in enumerate(INDUSTRIES, 1):
                self.group(city, f"JS-{code}-G{k:02d}", f"{zh}市{names[0]}", f"{en} {names[1]}", per)
        self.conn.execute(insert(Unit), self.units)
        return self.tree

    def district(self, city: int, code: str, zh: str, en: str, sites: int) -> None:
        """A district commission: it inspects its sites itself."""
        body = self.unit(code, f"{zh}纪委监委", f"{en} District Commission", "commission", city)
        for n in range(1, sites + 1):
            site_zh, site_en = SITES[n % len(SITES)]
            self.leaf(body, body, f"{code}-{n:03d}", f"{zh}{site_zh.format(n=n)}",
                      f"{en} {site_en.format(n=n)}", "site")

    def group(self, city: int, code: str, zh: str, en: str, branches: int) -> None:
        """A city's 集团: the city commission inspects its branches."""
        group = self.unit(code, zh, en, "group", city)
        self.tree.groups.append(group)
        for n in range(1, branches + 1):
            part_zh, part_en = BRANCHES[n % 2]
            self.leaf(group, city, f"{code}-{n:03d}", f"{zh}{part_zh.format(n=n)}",
                      f"{en} {part_en.format(n=n)}", "subsidiary")


def write_people(conn: Connection, tree: Tree, units: list[dict[str, Any]]) -> None:
    """Inspectors, supervisors and reviewers at every commission; a handler and a supervisor at
    every group and leaf unit."""
    secret = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    base = (conn.scalar(select(func.max(User.id))) or 0) + 1
    rows: list[dict[str, Any]] = []
    for unit in units:
        roles = (("inspector", "supervisor", "reviewer") if unit["kind"] == "commission"
                 else ("handler", "supervisor"))
        for role in roles:
            uid = base + len(rows)
            tree.people[(unit["id"], role)] = uid
            rows.append({"id": uid, "username": f"{role}-{unit['code'].lower()}",
                         "display_name": f"{unit['name_zh']}{_ROLE_ZH[role]}",
                         "password_hash": secret, "roles": role, "unit_id": unit["id"],
                         "language": "zh_CN", "active": True, "session_version": 0,
                         "failed_logins": 0, "email": "", "notify_email": "off",
                         "notify_webhook": "off"})
    for start in range(0, len(rows), 2000):
        conn.execute(insert(User), rows[start:start + 2000])


_ROLE_ZH = {"inspector": "检查员", "supervisor": "督办员", "reviewer": "复查员", "handler": "整改联系人"}


def write_campaigns(conn: Connection, tree: Tree, rng: random.Random, today: date) -> None:
    """A dozen provincial and city campaigns over the last year; a few inspections (on site,
    unannounced, online) of each leaf unit within them."""
    year = today.year
    names = ("安全生产专项检查", "食品安全专项整治", "作风建设专项督查", "营商环境专项监督")
    campaigns: list[dict[str, Any]] = []
    cid = (conn.scalar(select(func.max(Campaign.id))) or 0) + 1
    for i, name in enumerate(names * 3):
        starts = today - timedelta(days=360 - i * 25)
        campaigns.append({"id": cid + i, "name": f"{year}年{name}（第{i // 4 + 1}轮）",
                          "starts_on": starts, "ends_on": starts + timedelta(days=90),
                          "scope": "全省", "organiser_id": tree.root})
    conn.execute(insert(Campaign), campaigns)
    iid = (conn.scalar(select(func.max(Inspection.id))) or 0) + 1
    rows = []
    for leaf in tree.leaves:
        tree.inspections[leaf] = []
        for campaign in rng.sample(campaigns, 2):
            began: date = campaign["starts_on"]
            rows.append({"id": iid, "campaign_id": campaign["id"], "unit_id": leaf,
                         "inspected_on": began + timedelta(days=rng.randrange(60)),
                         "team": "第一检查组", "method": METHODS[iid % 3], "notes": "",
                         "created_by_id": tree.person(tree.body_of[leaf], "inspector")})
            tree.inspections[leaf].append((iid, int(campaign["id"])))
            iid += 1
    for start in range(0, len(rows), 2000):
        conn.execute(insert(Inspection), rows[start:start + 2000])


def bump_sequences(conn: Connection, tables: tuple[str, ...]) -> None:
    """PostgreSQL: move each id sequence past the ids written here (SQLite needs nothing)."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                          f"(SELECT COALESCE(max(id), 1) FROM {table}))"))


def build_tree(conn: Connection, size: int, rng: random.Random, today: date) -> Tree:
    writer = TreeWriter(conn, size)
    tree = writer.build()
    write_people(conn, tree, writer.units)
    write_campaigns(conn, tree, rng, today)
    bump_sequences(conn, ("units", "users", "campaigns", "inspections"))
    return tree


def stamp(day: date, rng: random.Random) -> datetime:
    """A working-hours moment of the day (Beijing 08:30-17:30 is 00:30-09:30 UTC)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        minutes=30 + rng.randrange(540), microseconds=rng.randrange(1_000_000))
