"""The demo directory: unit tree, users, the campaign and its inspections (days on the demo timeline)."""

from __future__ import annotations

from typing import NamedTuple

PASSWORD = "rectify-demo"


class UnitRow(NamedTuple):
    code: str
    name_zh: str
    name_en: str
    kind: str
    parent: str | None
    doc_prefix: str = ""  # of the body's letter numbers: 市纪提〔2026〕3号


class UserRow(NamedTuple):
    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str
    language: str = "zh_CN"
    email: str = ""  # addresses under .example (RFC 2606): nothing can reach a real mailbox
    notify_email: str = "digest"  # immediate | digest | off
    notify_webhook: str = "immediate"


class InspectionRow(NamedTuple):
    key: str
    unit: str
    day: int
    method: str
    team: str
    notes: str
    by: str = "inspector"


UNITS: tuple[UnitRow, ...] = (
    # The provincial commission coordinates what a city cannot solve (协同监督); the provincial
    # departments it writes to are units of kind "department" (职能部门) under it.
    UnitRow("PROV-CDI", "省纪委监委", "Provincial Commission for Discipline Inspection and Supervision",
            "commission", None, "省纪协函"),
    UnitRow("PROV-GXT", "省工业和信息化厅", "Provincial Department of Industry and IT", "department",
            "PROV-CDI"),
    UnitRow("PROV-RST", "省人力资源和社会保障厅",
            "Provincial Department of Human Resources and Social Security", "department", "PROV-CDI"),
    UnitRow("PROV-SCJG", "省市场监督管理局", "Provincial Market Regulation Administration",
            "department", "PROV-CDI"),
    UnitRow("PROV-YJT", "省应急管理厅", "Provincial Department of Emergency Management", "department",
            "PROV-CDI"),
    UnitRow("SZ-CDI", "市纪委监委", "City Commission for Discipline Inspection and Supervision",
            "commission", "PROV-CDI", "市纪提"),
    UnitRow("SZ-SCJG", "市市场监督管理局", "City Market Regulation Bureau", "department", "SZ-CDI"),
    UnitRow("SZ-CDI-G7", "派驻市国资委纪检监察组", "Inspection Group stationed at the City SOE Commission",
            "inspection_body", "SZ-CDI", "国资纪检"),
    UnitRow("SZ-AGRI", "深农集团", "Agricultural Products Group", "group", "SZ-CDI-G7"),
    UnitRow("SZ-AGRI-NS", "南山农产品批发市场", "Nanshan Wholesale Market", "subsidiary", "SZ-AGRI"),
    UnitRow("SZ-AGRI-NS-E", "南山市场东门入口", "Nanshan Market east entrance", "site", "SZ-AGRI-NS"),
    UnitRow("SZ-AGRI-NS-C", "南山市场冻品交易区", "Nanshan Market frozen-goods hall", "site", "SZ-AGRI-NS"),
    UnitRow("SZ-AGRI-FT", "福田农产品批发市场", "Futian Wholesale Market", "subsidiary", "SZ-AGRI"),
    UnitRow("SZ-BUS", "巴士集团", "Bus Group", "group", "SZ-CDI-G7"),
    UnitRow("SZ-BUS-01", "巴士集团第一分公司", "Bus Group Branch No. 1", "subsidiary", "SZ-BUS"),
    UnitRow("SZ-BUS-02", "东部公交公司", "Eastern Bus Company", "subsidiary", "SZ-BUS"),
    UnitRow("SZ-BUS-02-KC", "东部公交葵涌场站", "Eastern Bus Kuichong depot", "site", "SZ-BUS-02"),
    UnitRow("SZ-PORT", "港务集团", "Port Group", "group", "SZ-CDI-G7"),
    UnitRow("SZ-PORT-YT", "盐田港区作业公司", "Yantian Port Operations", "subsidiary", "SZ-PORT"),
    UnitRow("SZ-PORT-YT-C", "冷链查验专区", "Cold-chain inspection zone", "site", "SZ-PORT-YT"),
    UnitRow("SZ-AIR", "机场集团", "Airport Group", "group", "SZ-CDI-G7"),
    UnitRow("SZ-AIR-T", "航站楼运营公司", "Terminal Operations Company", "subsidiary", "SZ-AIR"),
    UnitRow("SZ-AIR-MALL", "航城里购物中心", "Airport City shopping centre", "site", "SZ-AIR-T"),
    UnitRow("SZ-WATER", "水务集团", "Water Group", "group", "SZ-CDI-G7"),
    UnitRow("SZ-WATER-SUP", "自来水公司", "Water Supply Company", "subsidiary", "SZ-WATER"),
    UnitRow("SZ-WATER-P2", "第二水厂", "Water Plant No. 2", "site", "SZ-WATER-SUP"),
    UnitRow("SZ-INV", "产投集团", "Industrial Investment Group", "group", "SZ-CDI-G7"),
    UnitRow("SZ-INV-JY", "金源物业", "Jinyuan Property Services", "subsidiary", "SZ-INV"),
    UnitRow("SZ-INV-JD", "金盾护卫", "Jindun Security Services", "subsidiary", "SZ-INV"),
    UnitRow("SZ-INV-HEAT", "热力总公司", "Heating Company", "subsidiary", "SZ-INV"),
    UnitRow("SZ-INV-AJ", "奥健医卫", "Aojian Medical Supplies", "subsidiary", "SZ-INV"),
    UnitRow("SZ-INV-AJ-W1", "奥健医卫无菌制衣车间", "Aojian clean-room garment workshop", "site",
            "SZ-INV-AJ"),
)

USERS: tuple[UserRow, ...] = (
    UserRow("admin", "系统管理员", ("admin",), "SZ-CDI"),
    UserRow("prov_supervisor", "钱志明", ("supervisor",), "PROV-CDI", email="qian.zhiming@prov-cdi.example"),
    UserRow("prov_inspector", "邵文清", ("inspector",), "PROV-CDI", email="shao.wenqing@prov-cdi.example"),
    UserRow("prov_reviewer", "孔德林", ("reviewer",), "PROV-CDI", email="kong.delin@prov-cdi.example"),
    UserRow("gxt_handler", "严晓东", ("handler",), "PROV-GXT", email="yan.xiaodong@prov-gxt.example"),
    UserRow("rst_handler", "姚佳琪", ("handler",), "PROV-RST", email="yao.jiaqi@prov-rst.example"),
    UserRow("scjg_handler", "蒋立新", ("handler",), "PROV-SCJG"),
    UserRow("yjt_handler", "曹洪波", ("handler",), "PROV-YJT"),
    UserRow("market_bureau_handler", "韩雪梅", ("handler",), "SZ-SCJG",
            email="han.xuemei@sz-scjg.example"),
    UserRow("city_supervisor", "赵国强", ("supervisor",), "SZ-CDI", email="zhao.guoqiang@sz-cdi.example"),
    UserRow("supervisor", "周建华", ("supervisor",), "SZ-CDI-G7", email="zhou.jianhua@sz-cdi.example",
            notify_email="immediate"),
    UserRow("inspector", "李明", ("inspector",), "SZ-CDI-G7", email="li.ming@sz-cdi.example"),
    UserRow("inspector2", "陈思远", ("inspector",), "SZ-CDI-G7", "en", "chen.siyuan@sz-cdi.example",
            notify_email="immediate"),
    UserRow("reviewer", "王静", ("reviewer",), "SZ-CDI-G7", email="wang.jing@sz-cdi.example",
            notify_email="immediate"),
    UserRow("bus_supervisor", "刘海涛", ("supervisor",), "SZ-BUS", email="liu.haitao@szbus.example"),
    UserRow("bus_handler", "黄丽", ("handler",), "SZ-BUS", email="huang.li@szbus.example",
            notify_email="immediate", notify_webhook="off"),
    UserRow("agri_handler", "郑晓燕", ("handler",), "SZ-AGRI"),
    UserRow("market_handler", "林志伟", ("handler",), "SZ-AGRI-NS", email="lin.zhiwei@szagri.example"),
    UserRow("invest_handler", "马文博", ("handler",), "SZ-INV", email="ma.wenbo@szinv.example",
            notify_email="off"),
    UserRow("property_handler", "孙磊", ("handler",), "SZ-INV-JY"),
    UserRow("factory_handler", "吴芳", ("handler",), "SZ-INV-AJ"),
    UserRow("port_handler", "何军", ("handler",), "SZ-PORT"),
    UserRow("airport_handler", "许婷", ("handler",), "SZ-AIR"),
    UserRow("water_handler", "谢鹏", ("handler",), "SZ-WATER"),
)

CAMPAIGN_NAME = "{year} 年疫情防控和安全生产专项监督检查"
CAMPAIGN_SCOPE = ("市属国有企业重点场所：港口、农产品批发市场、公交场站、机场、水厂、物业小区和防疫物资"
                  "生产企业；检查疫情防控责任落实、防疫物资保障和安全生产隐患排查整改情况。")
CAMPAIGN_START, CAMPAIGN_DAYS = 1, 120

INSPECTIONS: tuple[InspectionRow, ...] = (
    InspectionRow("I1", "SZ-AGRI-NS", 3, "unannounced", "第一检查组：李明、陈思远",
                  "“四不两直”突击检查南山市场出入口测温、商户进销台账和冻品管控。"),
    InspectionRow("I2", "SZ-BUS", 5, "onsite", "第二检查组：李明，巴士集团纪委派员参加",
                  "现场督查下属企业场站、车辆、维修车间和职工食堂的疫情防控落实情况。"),
    InspectionRow("I3", "SZ-BUS-02", 8, "unannounced", "第二检查组：李明",
                  "随车检查东部公交重点线路中途站乘客测温和健康码查验。"),
    InspectionRow("I4", "SZ-INV", 10, "onsite", "第三检查组：李明、陈思远",
                  "检查金源物业、金盾护卫、热力总公司检查点设置、值班值守和防疫物资储备。"),
    InspectionRow("I5", "SZ-INV-AJ", 12, "onsite", "第三检查组：李明",
                  "检查防护服生产企业复工达产、用工和安全生产情况。"),
    InspectionRow("I6", "SZ-PORT", 16, "unannounced", "第四检查组：陈思远",
                  "检查港务集团及盐田港区作业人员闭环管理和进口冷链食品防疫。", "inspector2"),
    InspectionRow("I7", "SZ-AIR", 20, "online", "第四检查组：陈思远",
                  "线上调阅航站楼、交通营运中心、航城里购物中心等场所的值班值守和防控记录。", "inspector2"),
    InspectionRow("I8", "SZ-WATER", 24, "online", "第一检查组：李明",
                  "通过“水务大脑”信息系统核查水厂职工健康监测、生产环境消杀和来访登记。"),
    InspectionRow("I9", "SZ-AGRI", 45, "unannounced", "第一检查组：李明、陈思远",
                  "“回头看”：复查南山市场前期问题整改情况，抽查集团所属惠民街市。"),
    InspectionRow("I10", "SZ-PORT", 68, "onsite", "第四检查组：陈思远",
                  "港区复工复产和冷链查验专区防疫管理检查。", "inspector2"),
    InspectionRow("I11", "SZ-BUS-01", 66, "onsite", "第二检查组：李明",
                  "公交场站安全生产专项检查：消防设施、充电站和外包人员管理。"),
    InspectionRow("I12", "SZ-WATER-P2", 74, "unannounced", "第一检查组：李明",
                  "“四不两直”检查第二水厂安全生产和门卫登记。"),
    InspectionRow("I13", "SZ-BUS", 30, "embedded", "第二检查组：李明",
                  "嵌入式监督：列席巴士集团防疫工作例会，跟踪外包人员管理措施的部署和落实。"),
)
