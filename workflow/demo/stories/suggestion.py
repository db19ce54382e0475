"""Suggestions (意见建议): twelve to the bus group, adopted by the group, and a few others."""

from __future__ import annotations

from workflow.demo.model import Photos, Rel, Step, Story, step

# (title, category, severity, plan, days to implement, measures or "" while still being implemented)
_BUS: tuple[tuple[str, str, str, str, int, str], ...] = (
    ("加强外包保洁、安保人员管控，统一纳入健康监测", "epidemic_control", "medium",
     "外包人员与正式员工同等管理，由各场站建立外包人员健康台账。", 20,
     "8 家下属企业的外包保洁、安保人员全部纳入健康监测台账，每日登记，与外包公司签订补充协议。"),
    ("场站门岗落实来访人员测温、扫码、登记“三同步”", "epidemic_control", "low",
     "统一门岗登记表和操作流程，各场站对门岗人员培训。", 15,
     "130 余个场站门岗统一执行测温、扫码、登记三同步，门岗登记表样式统一。"),
    ("建立驾驶员每日健康状况报告制度", "epidemic_control", "medium",
     "驾驶员出车前报告健康状况，车队长每日汇总上报。", 20,
     "驾驶员出车前在调度系统填报健康状况，车队长每日核对，异常情况即时上报。"),
    ("车辆每趟次收车后消毒并留痕备查", "epidemic_control", "low",
     "制定车辆消毒操作规范，消毒记录随车存放。", 25,
     "制定车辆消毒规范，每趟次收车后消毒，记录扫码上传，每周抽查。"),
    ("中途站增设乘客测温和查验健康码提示", "epidemic_control", "medium",
     "在重点站台和车厢张贴提示，车载广播循环播放。", 15,
     "重点站台张贴提示 1200 余张，车载广播循环播放查验提示。"),
    ("调度中心落实 24 小时带班领导在岗制度", "conduct", "medium",
     "制定带班领导排班表，纳入考勤管理。", 10,
     "调度中心实行领导 24 小时带班，排班表公示，纳入月度考勤。"),
    ("防疫物资储备实行日清单动态管理", "supply", "low",
     "口罩、消毒用品每日清点登记，低于警戒量及时补充。", 20,
     "建立防疫物资日清单，设定警戒库存，低于警戒量自动提醒采购。"),
    ("职工食堂实行错峰就餐和分餐制", "food_safety", "low",
     "各食堂分时段就餐，设置隔板，推行打包分餐。", 15,
     "各食堂分 3 个时段就餐，餐桌加装隔板，提供打包分餐。"),
    ("定期排查维修车间安全生产隐患", "work_safety", "medium",
     "维修车间每月开展一次安全隐患排查，建立隐患整改台账。", 30,
     "维修车间每月排查安全隐患，本月发现并整改隐患 14 处，建立整改台账。"),
    ("利用车载视频抽查乘客佩戴口罩情况", "epidemic_control", "low",
     "调度中心每日抽查车载视频，发现问题及时提醒驾驶员。", 20,
     "调度中心每日抽查 100 台车辆视频，发现问题通过车载对讲提醒驾驶员。"),
    ("完善应急运力预案，组建两级应急队伍", "management", "medium",
     "修订应急运力预案，组建集团和下属企业两级应急队伍并演练。", 80, ""),
    ("统一涉疫信息对外发布口径", "management", "low",
     "涉疫信息由集团办公室统一审核发布，建立发布流程。", 90, ""),
)


def _bus_story(number: int, item: tuple[str, str, str, str, int, str]) -> Story:
    title, category, severity, plan, days, measures = item
    steps: tuple[Step, ...] = (step(9, "bus_supervisor", "adopt", plan=plan, due_date=Rel(days)),)
    if measures:
        documents = Photos(1) if number % 3 == 0 else Photos(0)
        done = 9 + days - 2 - number % 4
        steps += (step(done, "bus_handler", "report_implementation", measures=measures,
                       documents=documents),)
    return Story("suggestion", 5, "inspector", "SZ-BUS", title, category, severity, inspection="I2",
                 description=f"督查下属企业场站和车辆后提出的第 {number} 条意见建议。", steps=steps)


STORIES: tuple[Story, ...] = tuple(_bus_story(n, item) for n, item in enumerate(_BUS, start=1)) + (
    Story("suggestion", 20, "inspector2", "SZ-AIR", "建议航站楼入口增设人工测温复核通道",
          "epidemic_control", "low", inspection="I7",
          steps=(step(24, "airport_handler", "decline",
                      reason="航站楼入口已全部配置红外热成像测温及人工复核岗，现有设置可满足需要。"),)),
    Story("suggestion", 70, "supervisor", "SZ-WATER", "建议将水厂来访登记与“水务大脑”门禁数据打通",
          "management", "low",
          description="来访登记靠手工填报，与门禁数据对不上；打通后可自动核对，减轻基层填表负担。"),
    Story("suggestion", 16, "inspector2", "SZ-PORT", "建议港区作业人员实行固定周期轮换",
          "epidemic_control", "medium", inspection="I6",
          steps=(step(30, "inspector2", "withdraw",
                      reason="市防控指挥部已统一出台港口作业人员轮换规定，本建议不再单独提出。"),)),
    Story("suggestion", 11, "supervisor", "SZ-INV", "建议组建青年党团员先锋突击队，充实小区测温消杀力量",
          "supply", "medium",
          description="金源物业管理的 12 个小区出入人员多，一线测温消杀人手紧张。",
          steps=(
              step(12, "invest_handler", "adopt", due_date=Rel(10),
                   plan="集团党委批准后从机关和各企业抽调青年党团员组建突击队。"),
              step(18, "invest_handler", "report_implementation", documents=Photos(1),
                   measures="组建 50 名青年党团员先锋突击队，支援 12 个小区测温消杀。"),
          )),
)
