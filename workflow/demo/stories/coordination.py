"""Coordinated supervision (协同监督): a plant short of workers, escalated to the provincial
commission, which writes to four departments, follows each reply, splits the problem into one
child finding per department, and closes the plant's finding after every child is closed."""

from __future__ import annotations

from workflow.demo.model import Photos, Rel, Step, Story, UnitRef, child_step, step

# Each department, its handler, the letter it receives, its reply and its part of the problem.
_DEPARTMENTS = (
    ("PROV-GXT", "gxt_handler", "关于支持奥健医卫防护服扩产的提醒函",
     "请你厅协调面料和辅料供应企业优先保障奥健医卫生产所需，并于期限内书面回复落实情况。",
     "已协调两家面料企业按日供货，保障企业满负荷生产所需原料。",
     "协调面料、辅料供应，保障企业满负荷生产",
     "建立面料保供日调度，两家供应企业每日直送车间。"),
    ("PROV-RST", "rst_handler", "关于协助奥健医卫招用熟练工人的提醒函",
     "企业缺工严重、工人超时作业。请你厅组织专场招聘并落实岗前培训补贴，于期限内书面回复。",
     "已举办两场专场招聘会，推荐求职者 260 人，企业录用 213 人，培训补贴按规定拨付。",
     "组织专场招聘，补足生产一线工人",
     "两场专场招聘共录用 213 人，全部完成岗前培训。"),
    ("PROV-SCJG", "scjg_handler", "关于加快奥健医卫产品检验和生产许可的提醒函",
     "请你局对企业新增生产线的产品检验和许可变更开通绿色通道，于期限内书面回复。",
     "已开通绿色通道，新增两条生产线的许可变更三个工作日内办结，产品抽检合格。",
     "新增生产线许可变更和产品检验走绿色通道",
     "许可变更已办结，首批产品抽检全部合格。"),
    ("PROV-YJT", "yjt_handler", "关于督促奥健医卫落实安全生产措施的提醒函",
     "企业扩产期间工人连续加班，存在安全隐患。请你厅派员指导排查并于期限内书面回复。",
     "已派工作组驻厂指导，排查隐患 9 处，全部督促整改到位。",
     "指导企业扩产期间的安全生产隐患排查",
     "驻厂指导排查隐患 9 处，已全部整改并复核。"),
)


def _coordination_steps() -> tuple[Step, ...]:
    steps = []
    for n, (unit, handler, subject, text, reply, part, measures) in enumerate(_DEPARTMENTS):
        steps += [
            step(14, "prov_supervisor", "@letter", key=unit, to=(unit,), subject=subject,
                 text=text, reply_due=Rel(5)),
            step(14, "prov_supervisor", "split_off", unit=UnitRef(unit), requirement=part,
                 due_date=Rel(9)),
            step(15 + n % 2, handler, "@reply", letter=unit, text=reply),
            child_step(15, handler, unit, "acknowledge"),
            child_step(18 + n, handler, unit, "report_rectification", measures=measures,
                       evidence=Photos(1)),
            child_step(20 + n, "prov_reviewer", unit, "revisit", visited_on=Rel(0),
                       method="online", observations="调阅台账和现场记录，配合任务已落实。"),
            child_step(21 + n, "prov_supervisor", unit, "confirm",
                       conclusion="配合任务已完成，同意销号。"),
        ]
    return tuple(steps)


STORIES: tuple[Story, ...] = (
    Story("escalation", 12, "prov_inspector", "SZ-INV-AJ",
          "防护服生产企业用工紧缺，工人连续加班存在安全生产隐患", "work_safety", "high", photos=1,
          description="产能无法全部释放，日产防护服不足百件；现有工人每天工作超过 12 小时，"
                      "车间存在安全隐患。",
          steps=(
              step(12, "prov_inspector", "assign", due_date=Rel(10),
                   requirement="合理安排班次，消除超时作业的安全隐患，保障防护服生产。"),
              step(13, "factory_handler", "acknowledge"),
              step(13, "factory_handler", "escalate", to_body=UnitRef("PROV-CDI"),
                   obstacle="企业无法在短期内自行招到足够熟练工人，减少工时会直接影响防护服供应。",
                   help_needed="请求协调人社部门帮助招工，协调工信、市场监管、应急部门给予支持。"),
              step(14, "prov_supervisor", "accept_escalation",
                   plan="开展协同监督：向工信、人社、市场监管、应急管理四个部门发送提醒函，"
                        "按部门分解任务，逐项跟踪回复。"),
              *_coordination_steps(),
              step(20, "prov_supervisor", "@comment",
                   text="四个部门均已书面回复。@factory_handler 请企业按新招工人情况调整为三班倒，"
                        "完成后报送整改情况。"),
              step(25, "prov_supervisor", "complete_coordination", due_date=Rel(10),
                   outcome="四部门协同推动招工 213 人，企业实行三班倒，日产量提升到 1500 件。"),
              step(30, "factory_handler", "report_rectification", evidence=Photos(2),
                   measures="新招工人完成岗前培训，实行三班倒，单人每日工作不超过 8 小时。"),
              step(33, "prov_reviewer", "confirm",
                   conclusion="四个配合子问题均已销号，用工和班次已规范，安全隐患消除，同意销号。"),
          )),
)
