"""Standard findings on the clock: due dates counted in working days back from the day the demo is
loaded, so that day shows every light (green, yellow, red at levels 1 to 3) whatever the holidays;
urging, 签收 signed and ignored, a reviewer late with the follow-up check, waiver requests."""

from __future__ import annotations

from workflow.demo.model import Photos, Rel, Story, Work, step

_WAIVER = ("疫情防控期间人手全部投入一线检查点，按规定程序请示后临时简化了流程，"
           "事后已补齐审批手续，未造成损失，申请容错免责。")

STORIES: tuple[Story, ...] = (
    # red, level 3: assigned long ago, never acknowledged, urged twice, climbs the whole ladder
    Story("standard", 20, "inspector", "SZ-BUS-02-KC", "葵涌场站充电区消防设施缺失，充电桩间距不足",
          "work_safety", "high", inspection="I2", photos=1,
          description="场站充电区 24 个充电桩未配置灭火器和消防沙箱，桩间距不足 1 米。",
          steps=(
              step(21, "inspector", "assign", due_date=Work(-20),
                   requirement="充电区按规范配齐消防设施，调整桩间距，建立充电区巡查制度。"),
              step(50, "inspector", "urge", message="已逾期，请东部公交立即落实充电区消防整改并报告进展。"),
              step(66, "supervisor", "urge",
                   message="逾期已超过十个工作日，请公司主要负责人督办，三日内书面说明。"),
          )),
    # red, level 2: acknowledged, then overdue seven working days; the parent unit was told
    Story("standard", 22, "inspector", "SZ-AGRI-FT", "福田市场冷库温度记录断档，部分冷库超温",
          "food_safety", "medium", inspection="I9",
          description="调阅冷库温控记录，3 号、5 号冷库连续两天无记录，抽查时实测温度高于设定值。",
          steps=(
              step(23, "inspector", "assign", due_date=Work(-10),
                   requirement="修复温控记录仪，超温冷库货品逐批检查并留存处置记录。"),
              step(24, "agri_handler", "acknowledge", comment="已签收，安排福田市场冷库负责人落实。"),
          )),
    # red, level 1: just overdue, urged once
    Story("standard", 30, "inspector2", "SZ-PORT-YT", "港区作业人员通勤车未落实“一车一消毒”",
          "epidemic_control", "medium", inspection="I10",
          steps=(
              step(31, "inspector2", "assign", due_date=Work(-2),
                   requirement="通勤车每趟次消毒并登记，司机每日健康监测。"),
              step(33, "port_handler", "acknowledge"),
              step(74, "inspector2", "urge", message="整改期限已过，请于明日前报送整改情况。"),
          )),
    # yellow: due in two working days, acknowledged
    Story("standard", 60, "inspector", "SZ-WATER-SUP", "自来水公司营业厅排队取号区域未设一米线",
          "epidemic_control", "low",
          steps=(
              step(61, "inspector", "assign", due_date=Work(2),
                   requirement="营业厅排队区域施划一米线，安排专人引导。"),
              step(62, "water_handler", "acknowledge", comment="已签收。"),
          )),
    # green: due in fifteen working days, assigned yesterday, not yet acknowledged
    Story("standard", 73, "inspector", "SZ-AIR-T", "航站楼到达层保洁外包人员培训记录缺失",
          "management", "low",
          steps=(
              step(74, "inspector", "assign", due_date=Work(15),
                   requirement="补充外包保洁人员防疫和安全培训，建立培训档案。"),
          )),
    # the reviewer is late: reported rectified weeks ago, the follow-up check never came
    Story("standard", 36, "inspector", "SZ-INV-JD", "门岗值班人员未佩戴工作证，访客登记随意",
          "management", "low", inspection="I4",
          steps=(
              step(37, "inspector", "assign", due_date=Rel(20),
                   requirement="门岗人员持证上岗，访客实名登记。"),
              step(38, "invest_handler", "acknowledge"),
              step(50, "invest_handler", "report_rectification", evidence=Photos(1),
                   measures="门岗人员统一佩戴工作证，启用访客实名登记本并每日核查。"),
          )),
    # a waiver asked for and granted
    Story("standard", 24, "inspector", "SZ-INV-HEAT", "防疫物资临时采购未经集体决策",
          "conduct", "medium",
          steps=(
              step(25, "inspector", "assign", due_date=Rel(20),
                   requirement="说明采购经过，补正决策程序。"),
              step(26, "invest_handler", "acknowledge"),
              step(40, "invest_handler", "request_waiver", justification=_WAIVER, documents=Photos(1)),
              step(43, "supervisor", "approve_waiver",
                   comment="情况属实，符合容错情形，同意免责，请完善应急采购制度。"),
          )),
    # a waiver asked for, awaiting the supervisor
    Story("standard", 52, "inspector2", "SZ-AIR-MALL", "购物中心疫情期间临时租金减免未报集团审批",
          "conduct", "low",
          steps=(
              step(53, "inspector2", "assign", due_date=Work(8),
                   requirement="说明减免依据，补报集团审批。"),
              step(54, "airport_handler", "acknowledge"),
              step(71, "airport_handler", "request_waiver",
                   justification="为稳定商户、落实纾困政策，按市里通知先行减免，事后补报审批，申请容错。"),
          )),
)
