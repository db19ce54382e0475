"""Immediate rectification (立行立改): fixed and verified on the spot, one reworked, one withdrawn."""

from __future__ import annotations

from workflow.demo.model import Photos, Step, Story, step

ON_SPOT = "立行立改，当场整改到位。"


def _fixed(day: int, fixer: str, measures: str, verifier: str = "inspector",
           conclusion: str = "已当场整改到位，核实销号。") -> tuple[Step, Step]:
    """The usual two steps: someone fixes it with a photo, the inspector verifies at once."""
    return (step(day, fixer, "fix_on_spot", measures=measures, photos=Photos(1)),
            step(day, verifier, "verify_on_spot", conclusion=conclusion))


STORIES: tuple[Story, ...] = (
    Story("immediate", 3, "inspector", "SZ-AGRI-NS-E", "入口测温点未施划一米线",
          "epidemic_control", "low", inspection="I1", requirement=ON_SPOT, due=0, photos=1,
          steps=_fixed(3, "market_handler", "现场施划一米线，安排专人引导排队。")),
    Story("immediate", 3, "inspector", "SZ-AGRI-NS-C", "冻品区两名商户未规范佩戴口罩",
          "epidemic_control", "low", inspection="I1", requirement=ON_SPOT, due=0,
          steps=_fixed(3, "market_handler", "当场提醒两名商户规范佩戴口罩，市场管理员加强巡查。",
                       verifier="inspector2")),
    Story("immediate", 5, "inspector", "SZ-BUS-01", "驾驶员休息室门窗紧闭，未通风换气",
          "epidemic_control", "low", inspection="I2", requirement=ON_SPOT, due=0, photos=1,
          steps=_fixed(5, "bus_handler", "打开门窗通风，张贴每日通风消毒时间表。")),
    Story("immediate", 8, "inspector", "SZ-BUS-02-KC", "场站防疫告示内容过期",
          "other", "low", inspection="I3", requirement=ON_SPOT, due=0,
          steps=_fixed(8, "bus_handler", "撤下过期告示，张贴最新防控要求。")),
    Story("immediate", 10, "inspector", "SZ-INV-JD", "门岗登记本未记录来访人员体温",
          "epidemic_control", "medium", inspection="I4", requirement=ON_SPOT, due=0, photos=1,
          steps=(
              step(10, "invest_handler", "fix_on_spot", photos=Photos(1),
                   measures="门岗补登当日来访人员体温，登记本增加体温一栏。"),
              step(10, "inspector", "reject_on_spot", reason="仍有两名来访人员未补登体温。"),
              step(10, "invest_handler", "fix_on_spot", photos=Photos(1),
                   measures="联系两名来访人员补测体温并登记，门岗保安重新培训。"),
              step(10, "inspector", "verify_on_spot", conclusion="第二次整改到位，核实销号。"),
          )),
    Story("immediate", 10, "inspector", "SZ-INV-HEAT", "热力站消毒液与易燃物混放",
          "work_safety", "high", inspection="I4", requirement=ON_SPOT, due=0, photos=1,
          steps=_fixed(10, "invest_handler", "值班人员将消毒液移至专用储存柜，与易燃物分开存放。")),
    Story("immediate", 12, "inspector", "SZ-INV-AJ-W1", "车间一处应急照明灯损坏",
          "work_safety", "medium", inspection="I5", requirement=ON_SPOT, due=0,
          steps=_fixed(12, "factory_handler", "电工当场更换应急照明灯并测试正常。")),
    Story("immediate", 16, "inspector2", "SZ-PORT-YT-C", "查验人员防护服穿戴不规范",
          "epidemic_control", "high", inspection="I6", requirement=ON_SPOT, due=0, photos=1,
          steps=_fixed(16, "port_handler", "查验人员按流程重新穿戴防护服，班组长现场监督。",
                       verifier="inspector2")),
    Story("immediate", 16, "inspector2", "SZ-PORT-YT", "港区入口货车司机未登记行程信息",
          "epidemic_control", "medium", inspection="I6", requirement=ON_SPOT, due=0,
          steps=_fixed(16, "port_handler", "入口增设行程登记岗，当场补登在场货车司机信息。",
                       verifier="inspector2")),
    Story("immediate", 74, "inspector", "SZ-WATER-P2", "加氯间防毒面具缺失",
          "work_safety", "high", inspection="I12", requirement="立行立改，两日内配齐。", due=1, photos=1,
          description="加氯间应急柜内 2 套防毒面具缺失，发生泄漏时无法及时处置。"),
    Story("immediate", 74, "inspector", "SZ-WATER-P2", "门卫室体温登记表未及时更新",
          "epidemic_control", "low", inspection="I12", requirement=ON_SPOT, due=0,
          steps=(step(74, "water_handler", "fix_on_spot", photos=Photos(1),
                      measures="补登当日来访人员体温，更换新登记表。"),)),
    Story("immediate", 20, "inspector2", "SZ-AIR-T", "航站楼入口测温岗无人",
          "epidemic_control", "medium", inspection="I7", requirement=ON_SPOT, due=0,
          steps=(step(20, "inspector2", "withdraw",
                      reason="经核实为交接班时段画面，测温岗实际有人值守，属误报。"),)),
)
