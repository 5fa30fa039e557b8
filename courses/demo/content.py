"""The demo catalogue: what the two schools teach, written as an instructor would.

Plain data and a few helpers that turn it into StreamField blocks. `seed` in
courses.demo turns it into pages and classes; nothing here touches the database.
"""

from dataclasses import dataclass, field

from courses.models import Tier
from school.models import Level, SchoolPage

GRID_SCHOOL = SchoolPage.Kind.GRID_SCHOOL
ACADEMY = SchoolPage.Kind.VOLUNTEER_ACADEMY


def heading(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def paragraph(*paragraphs: str) -> dict:
    return {"type": "paragraph", "value": "".join(f"<p>{p}</p>" for p in paragraphs)}


def bullets(intro: str, items: list[str], *, ordered: bool = False) -> dict:
    tag = "ol" if ordered else "ul"
    lines = "".join(f"<li>{item}</li>" for item in items)
    return {"type": "paragraph", "value": f"<p>{intro}</p><{tag}>{lines}</{tag}>"}


def callout(title: str, text: str, *, tone: str = "info") -> dict:
    return {
        "type": "callout",
        "value": {"tone": tone, "title": title, "text": f"<p>{text}</p>"},
    }


def question(prompt: str, *choices: str) -> dict:
    """A question; a choice written with a leading "*" is a correct answer. More
    than one correct answer makes it a multiple-choice question."""
    options = [
        {"text": choice.removeprefix("*"), "is_correct": choice.startswith("*")}
        for choice in choices
    ]
    correct = sum(1 for option in options if option["is_correct"])
    return {"prompt": prompt, "multiple": correct > 1, "choices": options}


def quiz(*questions: dict, pass_mark: int = 60, max_attempts: int = 3) -> dict:
    return {
        "type": "quiz",
        "value": {
            "title": "课后测验",
            "pass_mark": pass_mark,
            "max_attempts": max_attempts,
            "questions": list(questions),
        },
    }


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    minutes: int
    body: list[dict]


@dataclass(frozen=True)
class Course:
    """One demo course and how many training classes it has run.

    `latest` is when its most recent class starts, in days from today: negative
    for an online class already under way (enrolment still open), a few days ahead
    for one taking enrolments now, further ahead for one that has not opened yet.
    """

    school: str
    slug: str
    title: str
    tier: str
    summary: str
    objectives: list[str]
    study_hours: int
    lessons: list[Lesson]
    classes: int
    latest: int
    prerequisites: list[str] = field(default_factory=list)
    minimum_level: str = Level.RESIDENT
    is_featured: bool = False
    attendance_threshold: int = 0
    site_keyword: str = ""  # classes held at practice sites whose name has this


COURSES: list[Course] = [
    # ---------------------------------------------------------------- 网格学校
    Course(
        school=GRID_SCHOOL,
        slug="wangge-gongzuo-guifan",
        title="网格员工作规范",
        tier=Tier.BASIC,
        summary=(
            "新任网格员的第一课：网格员是谁、每天做什么、怎么走访、发现问题怎么上报，"
            "把“定人、定岗、定责”落到每一天的工作里。"
        ),
        objectives=[
            "说清网格员的职责定位和“五大员”角色",
            "掌握日常巡查和入户走访的基本要求",
            "熟悉事件“发现—上报—处置—反馈—核查—结案”的闭环流程",
        ],
        study_hours=8,
        is_featured=True,
        classes=6,
        latest=-7,
        lessons=[
            Lesson(
                "zhize-dingwei",
                "第一课 网格员的职责与定位",
                25,
                [
                    heading("什么是网格化服务管理"),
                    paragraph(
                        "网格化服务管理，是把社区按照地理布局、楼栋户数和管理难度划分成若干网格，"
                        "每个网格配备专职或兼职网格员，做到“定人、定岗、定责”。"
                        "网格是基层治理的最小单元，网格员是党和政府联系群众的“最后一米”。",
                        "一个网格通常覆盖 300 至 500 户居民。网格员要熟悉网格内的每一栋楼、"
                        "每一个单位和重点人群，做到“人到格中去、事在网中办”。",
                    ),
                    heading("网格员的“五大员”角色"),
                    bullets(
                        "网格员的日常工作可以概括为五个角色：",
                        [
                            "<b>信息采集员</b>：采集和更新人、地、事、物、情、组织等基础信息；",
                            "<b>政策宣传员</b>：把惠民政策、安全知识送到居民家门口；",
                            "<b>矛盾调解员</b>：第一时间发现并化解邻里纠纷；",
                            "<b>安全巡查员</b>：排查消防、燃气、电动车充电等安全隐患；",
                            "<b>便民服务员</b>：为老人、残疾人等群体代办、帮办事项。",
                        ],
                    ),
                    callout(
                        "工作提示",
                        "网格员不是“万能员”。超出职责和能力的事项，要及时上报、"
                        "由相关部门处置，不要擅自承诺。",
                    ),
                ],
            ),
            Lesson(
                "xuncha-zoufang",
                "第二课 日常巡查与入户走访",
                30,
                [
                    heading("巡查：看得见的隐患不放过"),
                    paragraph(
                        "网格员每天应在网格内巡查，重点看楼道堆物、消防通道占用、"
                        "电动车违规充电、高空坠物隐患、井盖缺失和违规搭建等问题。"
                        "发现问题当场拍照、定位、记录，能当场劝导解决的当场解决。",
                    ),
                    heading("走访：一听二看三问四记"),
                    bullets(
                        "入户走访时，按下面四步进行：",
                        [
                            "<b>一听</b>：听居民讲诉求、讲困难，不打断、不急于下结论；",
                            "<b>二看</b>：看家庭居住状况和安全隐患，特别是独居老人家中；",
                            "<b>三问</b>：问家庭成员变化、就业就医和对社区工作的意见；",
                            "<b>四记</b>：把走访情况如实记入走访台账或网格系统。",
                        ],
                        ordered=True,
                    ),
                    paragraph(
                        "独居、空巢、高龄老人和困境儿童等重点对象要提高走访频次，"
                        "遇到极端天气要电话或上门确认其安全。",
                    ),
                    callout(
                        "注意",
                        "入户前先出示工作证、说明来意；居民不愿开门时不要强行进入，"
                        "可以改约时间或请楼栋长协助。",
                        tone="warning",
                    ),
                ],
            ),
            Lesson(
                "shijian-bihuan",
                "第三课 事件上报与闭环处置",
                30,
                [
                    heading("事件处置的六个环节"),
                    paragraph(
                        "网格事件按照“发现—上报—分拨—处置—反馈—核查结案”六个环节运转。"
                        "网格员负责发现和上报，也要在处置完成后回访核查，"
                        "确认问题真正解决后才能结案。",
                    ),
                    bullets(
                        "上报一条事件，要写清楚：",
                        [
                            "时间、地点（尽量附定位）和现场照片；",
                            "事件类型和涉及人数；",
                            "已经采取的先期措施；",
                            "需要哪个部门协助解决。",
                        ],
                    ),
                    heading("限时办结与分级上报"),
                    paragraph(
                        "一般事件由社区在规定时限内办结；社区解决不了的，上报街道分拨到职能部门。"
                        "涉及人身安全、群体性事件和重大隐患的，要先电话报告，再补录系统。",
                    ),
                    callout(
                        "保护居民隐私",
                        "上报材料中的姓名、电话、身份证号只在系统内流转，不得发到工作群以外的地方。",
                    ),
                    quiz(
                        question(
                            "网格事件闭环处置的最后一个环节是？",
                            "上报",
                            "分拨",
                            "*核查结案",
                            "宣传",
                        ),
                        question(
                            "入户走访“一听二看三问四记”中，“四记”指的是？",
                            "记住居民的长相",
                            "*把走访情况如实记入台账或网格系统",
                            "记下居民的银行卡号",
                        ),
                        question(
                            "下列哪些属于网格员日常巡查要关注的安全隐患？",
                            "*楼道堆物、占用消防通道",
                            "*电动车在楼道里充电",
                            "居民家里的装修风格",
                            "*井盖缺失",
                        ),
                        question(
                            "发现可能危及人身安全的重大隐患，正确的做法是？",
                            "等周例会时再汇报",
                            "*先电话报告，再补录系统",
                            "拍照发到朋友圈提醒大家",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=GRID_SCHOOL,
        slug="qunzhong-gongzuo-goutong",
        title="群众工作与沟通技巧",
        tier=Tier.BASIC,
        summary=(
            "把话说到居民心里去：倾听与共情、入户沟通的开场与说明、"
            "面对情绪激动的居民时如何稳住局面。"
        ),
        objectives=[
            "运用积极倾听和共情回应了解居民真实诉求",
            "用通俗语言解释政策，不推诿、不乱承诺",
            "掌握安抚情绪激动居民的基本方法",
        ],
        study_hours=6,
        classes=6,
        latest=12,
        site_keyword="党群服务中心",
        lessons=[
            Lesson(
                "qingting-gongqing",
                "第一课 倾听与共情",
                20,
                [
                    heading("先听懂，再回应"),
                    paragraph(
                        "很多矛盾不是因为问题解决不了，而是因为居民觉得“没人听我说”。"
                        "积极倾听要做到：眼睛看着对方，适时点头回应，"
                        "用自己的话复述对方的意思，确认自己听懂了。",
                        "共情不是同意对方的所有观点，而是让对方感到被理解。"
                        "比如：“楼上漏水两个月了，换谁都着急，我理解您的心情。”",
                    ),
                    callout(
                        "三句常用回应",
                        "“您慢慢说，我记下来。”“我听明白了，您最担心的是……”"
                        "“这件事我今天就去核实，明天下午给您回话。”",
                    ),
                ],
            ),
            Lesson(
                "ruhu-goutong",
                "第二课 入户沟通与政策解释",
                25,
                [
                    heading("开场白决定第一印象"),
                    paragraph(
                        "入户时先自我介绍并出示工作证：“您好，我是本网格的网格员小李，"
                        "今天来了解一下家里的情况，大概占用您十分钟。”"
                        "说明来意、预计时间，居民更容易配合。",
                    ),
                    heading("把政策讲成大白话"),
                    bullets(
                        "解释政策时注意：",
                        [
                            "先讲和对方有什么关系，再讲具体条件；",
                            "少用文件里的术语，多举身边的例子；",
                            "拿不准的不说，承诺的事一定兑现；",
                            "留下联系方式和办理地点，必要时陪同办理。",
                        ],
                    ),
                ],
            ),
            Lesson(
                "qingxu-anfu",
                "第三课 面对情绪激动的居民",
                25,
                [
                    heading("先处理情绪，再处理事情"),
                    paragraph(
                        "居民情绪激动时，讲道理往往没用。先请对方坐下、倒杯水，"
                        "把谈话从楼道、门口移到安静的地方，降低围观带来的压力。"
                        "语速放慢、音量放低，不和对方争辩对错。",
                    ),
                    callout(
                        "安全第一",
                        "对方有过激行为或携带危险物品时，立即后撤到安全位置，拨打 110，"
                        "并报告社区负责人。不要一个人单独处置。",
                        tone="warning",
                    ),
                    quiz(
                        question(
                            "下列哪一句最能体现“共情”？",
                            "“这事不归我们管。”",
                            "*“楼上漏水两个月了，换谁都着急，我理解您的心情。”",
                            "“你别激动，激动也没用。”",
                        ),
                        question(
                            "向居民解释政策时，正确的做法有？",
                            "*先讲政策和对方有什么关系",
                            "*拿不准的不说，承诺的事一定兑现",
                            "多用文件原文显得专业",
                            "*留下联系方式和办理地点",
                        ),
                        question(
                            "居民情绪激动、有过激行为时，网格员首先应当？",
                            "据理力争，说服对方",
                            "*后撤到安全位置，拨打 110 并报告社区",
                            "录视频发到网上",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=GRID_SCHOOL,
        slug="jiceng-zhili-fagui",
        title="基层治理常用法律法规",
        tier=Tier.BASIC,
        summary=(
            "网格员日常工作中最常用到的法律知识：居民自治、相邻关系、"
            "高空抛物，以及采集居民信息时必须遵守的个人信息保护规则。"
        ),
        objectives=[
            "了解居民委员会的性质和居民自治的基本原则",
            "能用民法典相邻关系的规定分析常见邻里纠纷",
            "按照个人信息保护法的要求采集、保管和使用居民信息",
        ],
        study_hours=6,
        classes=6,
        latest=40,
        lessons=[
            Lesson(
                "zizhi-xianglin",
                "第一课 居民自治与相邻关系",
                30,
                [
                    heading("居民委员会是什么"),
                    paragraph(
                        "根据《中华人民共和国城市居民委员会组织法》，居民委员会是居民自我管理、"
                        "自我教育、自我服务的基层群众性自治组织。网格工作要尊重居民自治，"
                        "重大事项通过居民会议、议事协商来决定。",
                    ),
                    heading("相邻关系：邻里纠纷的法律依据"),
                    paragraph(
                        "《民法典》规定，不动产的相邻权利人应当按照有利生产、方便生活、团结互助、"
                        "公平合理的原则，正确处理相邻关系。漏水、噪声、采光、通行等纠纷，"
                        "都可以从这一原则出发来调处。",
                        "《民法典》还明确禁止从建筑物中抛掷物品。发现高空抛物线索，"
                        "网格员应及时固定证据并报告物业和公安机关。",
                    ),
                ],
            ),
            Lesson(
                "geren-xinxi-baohu",
                "第二课 个人信息保护",
                30,
                [
                    heading("采集信息的四条原则"),
                    paragraph(
                        "《个人信息保护法》自 2021 年 11 月 1 日起施行。处理个人信息应当遵循合法、"
                        "正当、必要和诚信原则，只采集工作必需的信息，不多采、不乱用。",
                    ),
                    bullets(
                        "下列信息属于敏感个人信息，采集和使用要格外谨慎：",
                        [
                            "医疗健康、残疾情况；",
                            "宗教信仰、特定身份；",
                            "金融账户、行踪轨迹；",
                            "不满十四周岁未成年人的个人信息。",
                        ],
                    ),
                    callout(
                        "三个“不”",
                        "不在微信群里传居民的身份证照片；不把台账拷到个人 U 盘；"
                        "不向无关人员透露居民的家庭情况。",
                        tone="warning",
                    ),
                    quiz(
                        question(
                            "居民委员会的性质是？",
                            "一级政府机关",
                            "*基层群众性自治组织",
                            "物业服务企业",
                        ),
                        question(
                            "《民法典》规定处理相邻关系应遵循哪些原则？",
                            "*有利生产、方便生活",
                            "*团结互助、公平合理",
                            "先来后到、谁强谁说了算",
                        ),
                        question(
                            "下列哪些属于敏感个人信息？",
                            "*医疗健康信息",
                            "*不满十四周岁未成年人的个人信息",
                            "居民所在的小区名称",
                            "*金融账户",
                        ),
                        question(
                            "《个人信息保护法》自何时起施行？",
                            "2017 年 12 月 1 日",
                            "*2021 年 11 月 1 日",
                            "2023 年 1 月 1 日",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=GRID_SCHOOL,
        slug="maodun-jiufen-tiaojie",
        title="矛盾纠纷调解",
        tier=Tier.SPECIALIST,
        summary=(
            "坚持和发展新时代“枫桥经验”，做到小事不出网格、大事不出社区："
            "纠纷的排查分类、人民调解的原则与程序、调解技巧和调解协议。"
        ),
        objectives=[
            "对网格内矛盾纠纷开展常态化排查和分类",
            "掌握人民调解的原则、程序和常用技巧",
            "规范制作调解协议并做好回访",
        ],
        study_hours=12,
        is_featured=True,
        prerequisites=["qunzhong-gongzuo-goutong"],
        attendance_threshold=80,
        classes=4,
        latest=20,
        site_keyword="调解工作室",
        lessons=[
            Lesson(
                "paicha-fenlei",
                "第一课 矛盾纠纷的排查与分类",
                30,
                [
                    heading("早发现、早介入"),
                    paragraph(
                        "大部分纠纷在萌芽时都有征兆：邻里之间的口角、反复投诉同一件事、"
                        "家庭成员长期不来往。网格员在走访中留意这些信号，"
                        "每月开展一次集中排查，建立纠纷台账。",
                    ),
                    bullets(
                        "社区常见的纠纷类型：",
                        [
                            "邻里纠纷：漏水、噪声、占道、宠物；",
                            "家庭纠纷：赡养、婚姻、继承；",
                            "物业纠纷：收费、服务质量、公共收益；",
                            "劳资纠纷：拖欠工资、工伤。",
                        ],
                    ),
                ],
            ),
            Lesson(
                "tiaojie-yuanze",
                "第二课 人民调解的原则与程序",
                35,
                [
                    heading("三条基本原则"),
                    bullets(
                        "根据《人民调解法》，人民调解应当遵循：",
                        [
                            "在当事人自愿、平等的基础上进行调解；",
                            "不违背法律、法规和国家政策；",
                            "尊重当事人的权利，不得因调解而阻止当事人依法通过仲裁、"
                            "行政、司法等途径维护自己的权利。",
                        ],
                        ordered=True,
                    ),
                    paragraph("人民调解不收取任何费用。"),
                    heading("调解的一般程序"),
                    paragraph(
                        "受理登记 → 调查核实 → 进行调解 → 达成协议 → 回访。"
                        "当事人一方明确拒绝调解的，不得调解，应告知其他解决途径。",
                    ),
                ],
            ),
            Lesson(
                "tiaojie-jiqiao",
                "第三课 调解的常用技巧",
                35,
                [
                    heading("背对背与面对面"),
                    paragraph(
                        "双方情绪对立时，先“背对背”分别谈话，听各自的诉求和底线；"
                        "等双方情绪平稳、分歧缩小后，再“面对面”协商具体方案。",
                    ),
                    heading("换位思考与借力"),
                    paragraph(
                        "引导当事人站在对方角度想一想：“如果是您家楼下被淹了，您希望对方怎么做？”"
                        "必要时请德高望重的老党员、楼栋长或律师参与，借助“老娘舅”的威望和专业的力量。",
                    ),
                    callout(
                        "注意",
                        "调解员要保持中立，不偏袒任何一方，不替当事人做决定。",
                    ),
                ],
            ),
            Lesson(
                "tiaojie-xieyi",
                "第四课 调解协议与回访",
                30,
                [
                    heading("调解协议怎么写"),
                    paragraph(
                        "调解协议应写明当事人基本情况、纠纷主要事实和争议事项，"
                        "以及达成的协议内容、履行方式和期限，由当事人签名、调解员签名并加盖调解委员会印章。",
                        "经人民调解委员会调解达成调解协议后，双方当事人认为有必要的，"
                        "可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。",
                    ),
                    callout(
                        "回访",
                        "协议签订后一周内回访一次，确认履行情况；没有履行的，及时再次调解或引导走法律途径。",
                    ),
                    quiz(
                        question(
                            "下列哪些是人民调解的基本原则？",
                            "*在当事人自愿、平等的基础上进行调解",
                            "*不违背法律、法规和国家政策",
                            "调解不成的不得再起诉",
                            "*不得因调解阻止当事人依法维护自己的权利",
                        ),
                        question(
                            "人民调解是否收费？",
                            "按标的额收取 1%",
                            "*不收取任何费用",
                            "由败诉一方承担",
                        ),
                        question(
                            "双方当事人共同申请司法确认，应在调解协议生效之日起多少日内提出？",
                            "七日",
                            "十五日",
                            "*三十日",
                        ),
                        question(
                            "双方情绪对立时，通常先采用哪种方式？",
                            "*背对背分别谈话",
                            "把双方叫到一起当面对质",
                            "直接拟好协议让双方签字",
                        ),
                        pass_mark=75,
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=GRID_SCHOOL,
        slug="yingji-chuzhi",
        title="应急处置",
        tier=Tier.SPECIALIST,
        summary=(
            "突发事件来临时，网格员往往是第一个到场的人。本课程讲授突发事件分类分级、"
            "火灾和燃气泄漏的先期处置、人员疏散与信息报送，并在应急演练基地实训。"
        ),
        objectives=[
            "了解突发事件的四大类别和预警级别",
            "掌握火灾、燃气泄漏等常见险情的先期处置要点",
            "能组织楼栋人员疏散并按要求报送信息",
        ],
        study_hours=10,
        attendance_threshold=80,
        classes=4,
        latest=55,
        site_keyword="应急演练基地",
        lessons=[
            Lesson(
                "fenlei-fenji",
                "第一课 突发事件的分类与分级",
                25,
                [
                    heading("四大类突发事件"),
                    paragraph(
                        "《突发事件应对法》将突发事件分为自然灾害、事故灾难、公共卫生事件和社会安全事件四类。"
                        "按照社会危害程度、影响范围等因素，分为特别重大、重大、较大和一般四级。",
                    ),
                    heading("预警颜色"),
                    paragraph(
                        "可以预警的突发事件，预警级别分为一级、二级、三级和四级，分别用红色、橙色、"
                        "黄色和蓝色标示，一级为最高级别。收到红色、橙色预警后，"
                        "网格员要立即进入岗位，通知重点人群做好防范。",
                    ),
                ],
            ),
            Lesson(
                "huozai-ranqi",
                "第二课 火灾与燃气泄漏的先期处置",
                30,
                [
                    heading("火灾：报警、疏散、初期扑救"),
                    paragraph(
                        "发现火情立即拨打 119，说清地址、着火物和有无人员被困。"
                        "火势较小时可用灭火器或室内消火栓扑救；火势蔓延时，立即组织疏散，"
                        "不乘电梯，用湿毛巾捂住口鼻、低姿前进。",
                    ),
                    heading("燃气泄漏：不开关、不点火"),
                    bullets(
                        "闻到燃气味时：",
                        [
                            "不要开关任何电器，不打电话，不使用明火；",
                            "轻开门窗通风，关闭燃气总阀；",
                            "撤离到室外安全地点后，再拨打燃气公司抢修电话。",
                        ],
                        ordered=True,
                    ),
                    callout(
                        "牢记",
                        "先救人，后救物；先报警，后处置。自身安全得不到保障时，不要冒险进入现场。",
                        tone="warning",
                    ),
                ],
            ),
            Lesson(
                "shusan-baosong",
                "第三课 人员疏散与信息报送",
                30,
                [
                    heading("楼栋疏散"),
                    paragraph(
                        "平时就要掌握楼栋里的独居老人、行动不便人员和婴幼儿家庭，"
                        "明确每户的联络人。疏散时按照就近、安全的原则引导到集合点，"
                        "逐户清点人数，发现缺人立即报告救援人员。",
                    ),
                    heading("首报、续报、终报"),
                    paragraph(
                        "信息报送讲究快和准：首报抓紧，说清时间、地点、事件和初步影响；"
                        "续报跟进处置进展和伤亡变化；终报在处置结束后报送结果和善后情况。",
                    ),
                    quiz(
                        question(
                            "《突发事件应对法》把突发事件分为哪几类？",
                            "*自然灾害",
                            "*事故灾难",
                            "*公共卫生事件",
                            "*社会安全事件",
                            "邻里纠纷",
                        ),
                        question(
                            "预警级别中，最高级别用什么颜色标示？",
                            "蓝色",
                            "黄色",
                            "*红色",
                        ),
                        question(
                            "闻到燃气味时，下列做法正确的是？",
                            "打开排气扇排风",
                            "*轻开门窗通风，关闭燃气总阀",
                            "在屋里打电话报修",
                        ),
                        question(
                            "信息报送的三个阶段依次是？",
                            "*首报、续报、终报",
                            "终报、首报、续报",
                            "口头报、书面报、网上报",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=GRID_SCHOOL,
        slug="wangge-xinxi-caiji",
        title="网格信息采集与智慧网格应用",
        tier=Tier.SPECIALIST,
        summary=(
            "用好网格信息系统：“人、地、事、物、情、组织”六类基础信息的采集规范、"
            "数据质量核查，以及移动端巡查上报的操作要点。"
        ),
        objectives=[
            "说出网格基础信息的六类内容",
            "按规范采集信息，保证数据准确、及时、完整",
            "熟练使用移动端完成巡查、上报和走访记录",
        ],
        study_hours=8,
        classes=4,
        latest=-7,
        lessons=[
            Lesson(
                "liulei-xinxi",
                "第一课 六类基础信息",
                25,
                [
                    heading("人、地、事、物、情、组织"),
                    bullets(
                        "网格基础信息分为六类：",
                        [
                            "<b>人</b>：实有人口，包括户籍、流动人口和重点关注人群；",
                            "<b>地</b>：楼栋、房屋、道路和公共空间；",
                            "<b>事</b>：居民诉求、矛盾纠纷和安全隐患等事件；",
                            "<b>物</b>：消防设施、井盖、监控等部件；",
                            "<b>情</b>：社情民意和舆情动态；",
                            "<b>组织</b>：网格内的单位、商铺和社会组织。",
                        ],
                    ),
                ],
            ),
            Lesson(
                "caiji-guifan",
                "第二课 采集规范与数据质量",
                25,
                [
                    heading("一次采准，动态更新"),
                    paragraph(
                        "采集时对照证件核实关键信息，地址按“街道—社区—小区—楼栋—单元—房号”"
                        "标准格式填写。人员搬入搬出、房屋用途变化，要在一周内更新。",
                        "每月对本网格数据做一次自查：有没有重复的人、空挂的房、过期的电话。",
                    ),
                    callout(
                        "质量三标准",
                        "准确：和实际一致；及时：变化后按时更新；完整：必填项不遗漏。",
                    ),
                ],
            ),
            Lesson(
                "yidong-duan",
                "第三课 移动端巡查与上报",
                20,
                [
                    heading("随手拍、随手报"),
                    paragraph(
                        "巡查中发现问题，用移动端拍照，系统会自动带上时间和位置。"
                        "选好事件类型、写清情况后提交，事件即进入分拨流程，"
                        "可以在“我的上报”里跟踪处置进度。",
                    ),
                    callout(
                        "信息安全",
                        "手机要设置锁屏密码；离职或换机前，在系统中注销设备绑定。",
                        tone="warning",
                    ),
                    quiz(
                        question(
                            "下列哪些属于网格六类基础信息？",
                            "*人",
                            "*物",
                            "*组织",
                            "天气",
                        ),
                        question(
                            "人员搬入搬出后，网格信息应在多长时间内更新？",
                            "一年内",
                            "*一周内",
                            "不需要更新",
                        ),
                        question(
                            "数据质量的三个标准是？",
                            "*准确、及时、完整",
                            "美观、简洁、大方",
                            "快速、大量、保密",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=GRID_SCHOOL,
        slug="wangge-tuandui-guanli",
        title="网格团队管理",
        tier=Tier.LEADERSHIP,
        summary=(
            "写给网格长和社区骨干：如何带好一支网格员队伍——角色转变、分工协作、"
            "例会制度、考核激励和新人带教。"
        ),
        objectives=[
            "完成从“干好自己的事”到“带着大家干”的角色转变",
            "建立分工清晰的网格团队和例会制度",
            "设计公平透明的考核激励办法，做好新人带教",
        ],
        study_hours=12,
        prerequisites=["wangge-gongzuo-guifan"],
        minimum_level=Level.TALENT,
        attendance_threshold=80,
        classes=5,
        latest=60,
        lessons=[
            Lesson(
                "juese-zhuanbian",
                "第一课 网格长的角色转变",
                30,
                [
                    heading("从队员到队长"),
                    paragraph(
                        "优秀的网格员不一定是优秀的网格长。网格长的价值不在于自己跑了多少户，"
                        "而在于整个团队是否把每一户都照顾到了。要学会把任务交出去，"
                        "把精力放在协调、支持和解决难题上。",
                    ),
                    callout(
                        "自我检查",
                        "本周我替队员做了多少本该由他们做的事？这些事下次能否教会他们自己做？",
                    ),
                ],
            ),
            Lesson(
                "fengong-lihui",
                "第二课 分工协作与例会制度",
                30,
                [
                    heading("分工：按网格、按专长"),
                    paragraph(
                        "基础工作按网格包干到人，专项工作按专长分工：有人擅长调解，有人熟悉系统，"
                        "有人与老人打交道有耐心。把合适的人放在合适的位置上。",
                    ),
                    heading("例会：短、实、有跟进"),
                    bullets(
                        "每周例会控制在 30 分钟以内，议程固定：",
                        [
                            "上周事项办结情况；",
                            "本周重点任务和分工；",
                            "需要社区或街道协调的难题；",
                            "一条值得大家学习的经验。",
                        ],
                        ordered=True,
                    ),
                ],
            ),
            Lesson(
                "kaohe-daijiao",
                "第三课 考核激励与新人带教",
                30,
                [
                    heading("考核看结果，也看过程"),
                    paragraph(
                        "考核既看事件办结率、居民满意度等结果，也看走访覆盖、信息更新等过程。"
                        "考核标准事先公开，结果每月公示，让每个人知道自己差在哪里。",
                    ),
                    heading("一带一：新人三个月成长计划"),
                    paragraph(
                        "新网格员入职后由一名骨干“一带一”：第一个月跟着走，第二个月一起走，"
                        "第三个月放手走。每月一次谈心，及时发现困难。",
                    ),
                    quiz(
                        question(
                            "网格长的主要价值在于？",
                            "自己走访的户数最多",
                            "*让整个团队把每一户都照顾到",
                            "替队员完成所有难办的事",
                        ),
                        question(
                            "每周例会的固定议程包括哪些？",
                            "*上周事项办结情况",
                            "*本周重点任务和分工",
                            "*需要协调的难题",
                            "逐个点评队员的私人生活",
                        ),
                        question(
                            "新人“一带一”三个月计划的正确顺序是？",
                            "*跟着走、一起走、放手走",
                            "放手走、一起走、跟着走",
                            "一起走、放手走、跟着走",
                        ),
                    ),
                ],
            ),
        ],
    ),
    # ------------------------------------------------------------ 志愿者培训学院
    Course(
        school=ACADEMY,
        slug="gongyi-linian",
        title="公益理念",
        tier=Tier.BASIC,
        summary=(
            "志愿者的第一堂课：什么是志愿服务、志愿精神从哪里来、"
            "志愿者有哪些权利和义务，以及如何记录自己的志愿服务。"
        ),
        objectives=[
            "理解志愿服务自愿、无偿、平等、诚信、合法的原则",
            "体会“奉献、友爱、互助、进步”的志愿精神",
            "了解志愿者的权利义务和志愿服务记录",
        ],
        study_hours=4,
        is_featured=True,
        classes=6,
        latest=-7,
        lessons=[
            Lesson(
                "shenme-shi-zhiyuan",
                "第一课 什么是志愿服务",
                20,
                [
                    heading("志愿服务的含义"),
                    paragraph(
                        "《志愿服务条例》自 2017 年 12 月 1 日起施行。条例所称志愿服务，"
                        "是指志愿者、志愿服务组织和其他组织自愿、无偿向社会或者他人提供的公益服务。",
                        "开展志愿服务，应当遵循自愿、无偿、平等、诚信、合法的原则，"
                        "不得违背社会公德、损害社会公共利益和他人合法权益，不得危害国家安全。",
                    ),
                    callout(
                        "想一想",
                        "帮邻居取快递、陪社区老人聊天、在路口引导过马路，哪些属于志愿服务？"
                        "它们有什么共同点？",
                    ),
                ],
            ),
            Lesson(
                "zhiyuan-jingshen",
                "第二课 志愿精神",
                20,
                [
                    heading("奉献、友爱、互助、进步"),
                    paragraph(
                        "“奉献、友爱、互助、进步”是中国志愿服务精神的概括。奉献是不计报酬，"
                        "友爱是真诚待人，互助是“人人为我、我为人人”，进步是在服务中共同成长。",
                        "从 1963 年毛泽东同志题词“向雷锋同志学习”开始，每年 3 月 5 日成为学雷锋纪念日；"
                        "12 月 5 日是国际志愿者日。",
                    ),
                    heading("从身边小事做起"),
                    paragraph(
                        "志愿服务不一定轰轰烈烈。每周抽出两个小时，在社区助餐点帮忙打饭、"
                        "教老人用智能手机、参与垃圾分类指导，都是志愿精神的体现。",
                    ),
                ],
            ),
            Lesson(
                "quanli-yiwu",
                "第三课 志愿者的权利与义务",
                25,
                [
                    heading("志愿者享有的权利"),
                    bullets(
                        "志愿者可以：",
                        [
                            "自愿参加或者退出志愿服务活动；",
                            "获得与所从事服务相关的信息和培训；",
                            "在参与可能发生人身危险的活动前，由组织方购买相应的人身意外伤害保险；",
                            "获得真实、准确、完整的志愿服务记录证明。",
                        ],
                    ),
                    heading("志愿者应尽的义务"),
                    paragraph(
                        "志愿者应当按照约定提供志愿服务，尊重服务对象的人格尊严，"
                        "保护服务对象的个人隐私，不得向服务对象收取或者变相收取报酬。",
                    ),
                    callout(
                        "志愿服务记录",
                        "每次服务后，请在本系统中由组织方确认服务时长。记录会计入积分，"
                        "也是申请星级志愿者和等级晋升的依据。",
                    ),
                    quiz(
                        question(
                            "《志愿服务条例》规定，开展志愿服务应当遵循哪些原则？",
                            "*自愿、无偿",
                            "*平等、诚信、合法",
                            "有偿、强制",
                        ),
                        question(
                            "中国志愿服务精神概括为？",
                            "*奉献、友爱、互助、进步",
                            "团结、紧张、严肃、活泼",
                            "勤劳、勇敢、智慧、善良",
                        ),
                        question(
                            "国际志愿者日是每年的哪一天？",
                            "3 月 5 日",
                            "*12 月 5 日",
                            "10 月 1 日",
                        ),
                        question(
                            "下列哪些是志愿者应尽的义务？",
                            "*尊重服务对象的人格尊严",
                            "*保护服务对象的个人隐私",
                            "向服务对象收取少量辛苦费",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=ACADEMY,
        slug="fuwu-liyi",
        title="服务礼仪",
        tier=Tier.BASIC,
        summary=(
            "得体的仪表、温暖的语言，让服务对象感到被尊重。"
            "包括仪容仪表、语言礼仪，以及为老年人、残障人士和儿童服务时的礼仪要点。"
        ),
        objectives=[
            "做到着装整洁、佩戴标识、仪态得体",
            "使用规范的文明用语和恰当的称呼",
            "掌握为老年人、残障人士、儿童服务时的礼仪",
        ],
        study_hours=4,
        classes=6,
        latest=-7,
        lessons=[
            Lesson(
                "yirong-yibiao",
                "第一课 仪容仪表",
                15,
                [
                    heading("第一眼印象"),
                    paragraph(
                        "参加志愿服务时统一穿着志愿者马甲或佩戴志愿者标识，衣着整洁、"
                        "不穿拖鞋，头发整齐，不浓妆、不佩戴夸张饰品。",
                        "站姿自然挺拔，面带微笑，与服务对象交谈时保持一臂左右的距离。",
                    ),
                ],
            ),
            Lesson(
                "yuyan-liyi",
                "第二课 语言礼仪",
                20,
                [
                    heading("文明用语十个字"),
                    paragraph(
                        "“您好、请、谢谢、对不起、再见”是最基本的文明用语。称呼长辈用“阿姨”“叔叔”"
                        "“大爷”“奶奶”，不叫“喂”，不直呼其名。",
                    ),
                    bullets(
                        "遇到自己解答不了的问题：",
                        [
                            "不要说“不知道”“不归我管”；",
                            "可以说“这个问题我帮您问一下工作人员，请您稍等”；",
                            "确实无法解决的，告诉对方可以去哪里、找谁办理。",
                        ],
                    ),
                ],
            ),
            Lesson(
                "teshu-renqun",
                "第三课 为特殊人群服务的礼仪",
                25,
                [
                    heading("老年人"),
                    paragraph(
                        "说话放慢语速、提高音量但不喊叫，一次只说一件事；"
                        "教老人使用智能手机时，让老人自己动手，不要替他操作完事。",
                    ),
                    heading("残障人士"),
                    paragraph(
                        "先询问“需要我帮忙吗？”，得到同意后再按对方希望的方式帮助。"
                        "为视障人士引路时，让对方扶住你的手臂，你走在前方半步；"
                        "不要抚摸或逗弄导盲犬。",
                    ),
                    heading("儿童"),
                    paragraph(
                        "蹲下来与孩子平视交流；活动中不单独与儿童处于封闭空间，"
                        "拍照和发布照片须经监护人同意。",
                    ),
                    callout(
                        "尊重比热情更重要",
                        "帮助之前先询问，尊重对方的选择——有时候对方并不需要帮助。",
                    ),
                    quiz(
                        question(
                            "为视障人士引路时，正确的做法是？",
                            "推着对方往前走",
                            "*让对方扶住你的手臂，你走在前方半步",
                            "大声指挥对方左转右转",
                        ),
                        question(
                            "遇到自己解答不了的问题，恰当的回应是？",
                            "“不知道，别问我。”",
                            "“这不归我管。”",
                            "*“这个问题我帮您问一下工作人员，请您稍等。”",
                        ),
                        question(
                            "在儿童活动中，下列哪些做法是正确的？",
                            "*蹲下来与孩子平视交流",
                            "*发布孩子照片前征得监护人同意",
                            "带孩子单独去没人的房间玩",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=ACADEMY,
        slug="zhiyuan-anquan",
        title="志愿服务安全与风险防范",
        tier=Tier.BASIC,
        summary=(
            "保护好服务对象，也保护好自己：志愿服务中的常见风险、防范措施、"
            "意外发生时的处置和志愿者保险。"
        ),
        objectives=[
            "识别交通、天气、人身和财物等常见风险",
            "掌握意外发生时的基本处置步骤",
            "了解志愿者保险的作用",
        ],
        study_hours=4,
        classes=6,
        latest=25,
        site_keyword="志愿服务站",
        lessons=[
            Lesson(
                "changjian-fengxian",
                "第一课 常见风险与防范",
                20,
                [
                    heading("出发前想一想"),
                    bullets(
                        "每次活动前，组织者和志愿者都应想清楚：",
                        [
                            "<b>交通</b>：路线是否安全，是否需要统一乘车；",
                            "<b>天气</b>：高温、暴雨、大风时是否调整或取消；",
                            "<b>人身</b>：是否涉及登高、用电、搬运重物；",
                            "<b>财物</b>：是否经手现金和贵重物品。",
                        ],
                    ),
                    callout(
                        "原则",
                        "志愿者不经手服务对象的现金、银行卡和存折，不代签任何文件。",
                        tone="warning",
                    ),
                ],
            ),
            Lesson(
                "yiwai-chuzhi",
                "第二课 意外处置与保险",
                20,
                [
                    heading("意外发生时"),
                    paragraph(
                        "有人受伤时，先确保现场安全，再判断伤情；严重时立即拨打 120，"
                        "并通知活动负责人。不要随意搬动可能有骨折或颈椎损伤的伤者。",
                    ),
                    heading("志愿者保险"),
                    paragraph(
                        "志愿服务组织安排志愿者参与可能发生人身危险的志愿服务活动前，"
                        "应当为志愿者购买相应的人身意外伤害保险。报名时请如实填写个人信息，"
                        "以便投保。",
                    ),
                    quiz(
                        question(
                            "活动前需要评估的风险包括？",
                            "*交通",
                            "*天气",
                            "*人身安全",
                            "服务对象的兴趣爱好",
                        ),
                        question(
                            "服务中有人可能颈椎受伤，正确的做法是？",
                            "立即把他扶起来",
                            "*不随意搬动，拨打 120 并通知负责人",
                            "让他自己走到医院",
                        ),
                        question(
                            "志愿者能否替服务对象保管银行卡？",
                            "可以，只要对方同意",
                            "*不可以，志愿者不经手现金和银行卡",
                            "可以，但要拍照留证",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=ACADEMY,
        slug="shequ-huodong-cehua",
        title="社区活动策划",
        tier=Tier.SPECIALIST,
        summary=(
            "从一个想法到一场成功的社区活动：需求调研、方案撰写、志愿者招募与分工、"
            "现场执行与复盘宣传。学完可以独立策划一场 100 人以内的社区活动。"
        ),
        objectives=[
            "通过调研找准居民真实需求",
            "用 5W2H 写出完整的活动方案和预算",
            "做好招募分工、现场执行和复盘宣传",
        ],
        study_hours=10,
        is_featured=True,
        prerequisites=["gongyi-linian"],
        minimum_level=Level.VOLUNTEER,
        classes=4,
        latest=8,
        site_keyword="邻里中心",
        lessons=[
            Lesson(
                "xuqiu-diaoyan",
                "第一课 需求调研",
                25,
                [
                    heading("活动从需求出发"),
                    paragraph(
                        "好的社区活动不是“我想办什么”，而是“居民需要什么”。"
                        "可以通过问卷、入户访谈、楼栋议事会和网格员反馈来了解需求。",
                        "例如：某小区双职工家庭多，放学后孩子无人照看——“四点半课堂”就比一场文艺演出更受欢迎。",
                    ),
                    callout(
                        "小技巧",
                        "问卷不超过 10 道题，多用选择题；访谈时多问“为什么”和“具体是什么时候”。",
                    ),
                ],
            ),
            Lesson(
                "fangan-zhuanxie",
                "第二课 方案撰写：5W2H",
                30,
                [
                    heading("一份方案回答七个问题"),
                    bullets(
                        "用 5W2H 检查方案是否完整：",
                        [
                            "What：做什么活动；",
                            "Why：为什么做，解决什么需求；",
                            "Who：服务谁，谁来做；",
                            "When：什么时间，持续多久；",
                            "Where：在哪里，场地是否需要预约；",
                            "How：流程怎么安排，有什么风险预案；",
                            "How much：需要多少经费和物资。",
                        ],
                    ),
                    paragraph(
                        "活动目标要具体可衡量，例如“服务 30 名独居老人，满意度 90% 以上”，"
                        "而不是“丰富居民文化生活”。",
                    ),
                ],
            ),
            Lesson(
                "zhaomu-fengong",
                "第三课 志愿者招募与分工",
                25,
                [
                    heading("按岗位招募"),
                    paragraph(
                        "先列出岗位（签到、引导、物资、摄影、安全），再按岗位写清时间、"
                        "要求和人数发布招募。每个岗位设一名组长，活动前一天开一次简短的碰头会。",
                    ),
                ],
            ),
            Lesson(
                "zhixing-fupan",
                "第四课 现场执行与复盘宣传",
                30,
                [
                    heading("现场：按流程表推进"),
                    paragraph(
                        "准备一张精确到 15 分钟的流程表，发给每位组长。"
                        "提前一小时到场布置，检查场地、电源、音响和安全通道。",
                    ),
                    heading("复盘：做得好的、要改进的"),
                    paragraph(
                        "活动结束一周内复盘：目标是否达成、经费是否超支、"
                        "居民有什么反馈。宣传稿突出居民的变化和感受，照片发布前征得本人同意。",
                    ),
                    quiz(
                        question(
                            "策划社区活动的出发点应当是？",
                            "组织者的个人爱好",
                            "*居民的真实需求",
                            "上级的宣传需要",
                        ),
                        question(
                            "下列哪些属于 5W2H 中的问题？",
                            "*Why：为什么做",
                            "*How much：需要多少经费",
                            "Whose：这是谁的功劳",
                            "*Where：在哪里举办",
                        ),
                        question(
                            "下列哪个活动目标写得最好？",
                            "丰富居民文化生活",
                            "*服务 30 名独居老人，满意度 90% 以上",
                            "办一场热闹的活动",
                        ),
                        question(
                            "活动复盘应在什么时候进行？",
                            "下一次活动开始前",
                            "*活动结束一周内",
                            "年底总结时",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=ACADEMY,
        slug="shequ-yishi-xieshang",
        title="社区议事协商",
        tier=Tier.SPECIALIST,
        summary=(
            "加装电梯、停车难、公共收益怎么用——让居民坐下来商量着办。"
            "学习议事规则、会议主持与记录，以及如何推动协商结果落地。"
        ),
        objectives=[
            "掌握简化版议事规则的核心要求",
            "能够主持一次居民议事会并做好记录",
            "推动协商结果形成方案并跟踪落实",
        ],
        study_hours=8,
        classes=4,
        latest=45,
        site_keyword="议事厅",
        lessons=[
            Lesson(
                "yishi-guize",
                "第一课 议事规则",
                25,
                [
                    heading("好规则让人人都能说话"),
                    bullets(
                        "社区议事常用的简化规则：",
                        [
                            "主持人中立，不发表自己的意见；",
                            "先举手，经主持人同意后发言；",
                            "每人每次发言不超过 2 分钟，同一议题不超过 2 次；",
                            "对事不对人，不打断、不人身攻击；",
                            "只讨论当前议题，跑题由主持人提醒；",
                            "充分讨论后表决，过半数同意即通过。",
                        ],
                    ),
                ],
            ),
            Lesson(
                "zhuchi-jilu",
                "第二课 会议主持与记录",
                25,
                [
                    heading("主持人的三件事"),
                    paragraph(
                        "会前：把议题、背景材料和规则提前告知参会居民。"
                        "会中：控制时间、维持秩序、确保不同意见都有机会表达。"
                        "会后：把结论和分工当场复述一遍，请大家确认。",
                    ),
                    callout(
                        "记录要点",
                        "记录时间、参会人数、每个议题的主要观点、表决结果和责任人，"
                        "会后三天内在楼栋公告栏公示。",
                    ),
                ],
            ),
            Lesson(
                "gongshi-luoshi",
                "第三课 达成共识与落实",
                25,
                [
                    heading("从“吵架会”到“办事会”"),
                    paragraph(
                        "协商的目的是解决问题，而不是分出输赢。意见分歧大时，"
                        "可以先就能达成一致的部分表决，把分歧较大的部分留到下次继续讨论。",
                        "议定的事项要明确责任人和完成时间，并在下一次议事会上通报进展。",
                    ),
                    quiz(
                        question(
                            "议事会上主持人应当？",
                            "积极表达自己的观点",
                            "*保持中立，控制时间和秩序",
                            "决定最终方案",
                        ),
                        question(
                            "下列哪些符合简化版议事规则？",
                            "*先举手，经主持人同意后发言",
                            "*对事不对人，不打断他人",
                            "声音大的人优先发言",
                            "*充分讨论后表决",
                        ),
                        question(
                            "议事会记录应在会后多少天内公示？",
                            "*三天内",
                            "一个月内",
                            "不需要公示",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=ACADEMY,
        slug="ziyuan-zhenghe",
        title="资源整合",
        tier=Tier.LEADERSHIP,
        summary=(
            "写给社区能人和未来的社区主理人：绘制社区资源地图，推动“五社联动”，"
            "链接共建单位和爱心商户，为公益项目筹集资源并做到公开透明。"
        ),
        objectives=[
            "绘制本社区的资源地图",
            "理解并运用“五社联动”机制",
            "与共建单位、爱心商户建立长期合作，规范管理公益资源",
        ],
        study_hours=12,
        is_featured=True,
        prerequisites=["gongyi-linian", "shequ-huodong-cehua"],
        minimum_level=Level.TALENT,
        attendance_threshold=80,
        classes=5,
        latest=70,
        lessons=[
            Lesson(
                "ziyuan-ditu",
                "第一课 社区资源地图",
                30,
                [
                    heading("资源就在身边"),
                    paragraph(
                        "社区资源包括人（退休教师、医生、手艺人）、地（活动室、空置用房、广场）、"
                        "钱（公共收益、公益基金、企业捐赠）和组织（学校、企业、社会组织）。"
                        "把它们标在一张地图上，你会发现社区比想象中“富有”。",
                    ),
                    callout(
                        "练习",
                        "用一个下午走访你所在的社区，列出至少 10 项可以为公益所用的资源。",
                    ),
                ],
            ),
            Lesson(
                "wushe-liandong",
                "第二课 五社联动与共建单位",
                30,
                [
                    heading("什么是“五社联动”"),
                    paragraph(
                        "“五社联动”指社区、社会组织、社会工作者、社区志愿者和社会慈善资源协同发力："
                        "社区搭平台，社会组织做项目，社工提供专业支持，志愿者参与服务，慈善资源提供保障。",
                    ),
                    heading("与共建单位和爱心商户合作"),
                    paragraph(
                        "合作要互利：共建单位可以获得服务社区的机会和荣誉，爱心商户可以获得口碑和客流。"
                        "合作内容、期限和权益写进协议，每年评估一次。",
                    ),
                ],
            ),
            Lesson(
                "chouzi-touming",
                "第三课 公益项目筹资与公开透明",
                30,
                [
                    heading("资源用在哪里，要让大家看得见"),
                    paragraph(
                        "接受捐赠的物资和资金要登记入账，专款专用；项目结束后公开收支明细。"
                        "透明是最好的信誉，也是下一次筹资的基础。",
                    ),
                    callout(
                        "红线",
                        "任何个人不得以社区或志愿服务的名义私自收取钱物。",
                        tone="warning",
                    ),
                    quiz(
                        question(
                            "“五社联动”包括哪些主体？",
                            "*社区",
                            "*社会组织",
                            "*社会工作者",
                            "*社区志愿者",
                            "*社会慈善资源",
                        ),
                        question(
                            "接受捐赠的资金应当如何管理？",
                            "由负责人个人保管",
                            "*登记入账、专款专用、公开收支",
                            "按捐赠人意愿随时取用",
                        ),
                        question(
                            "下列哪些属于社区资源？",
                            "*退休医生",
                            "*空置的活动用房",
                            "*辖区企业",
                            "居民的私人存款",
                        ),
                    ),
                ],
            ),
        ],
    ),
    Course(
        school=ACADEMY,
        slug="zhiyuan-tuandui-guanli",
        title="志愿团队管理",
        tier=Tier.LEADERSHIP,
        summary=(
            "把一群热心人变成一支能打硬仗、留得住人的志愿团队："
            "招募甄选、培训督导、积分激励和骨干培养。"
        ),
        objectives=[
            "按岗位需要招募和甄选志愿者",
            "建立培训、督导和积分激励机制",
            "培养团队骨干，形成团队文化",
        ],
        study_hours=10,
        prerequisites=["gongyi-linian"],
        minimum_level=Level.TALENT,
        classes=4,
        latest=15,
        lessons=[
            Lesson(
                "zhaomu-zhenxuan",
                "第一课 招募与甄选",
                25,
                [
                    heading("找到对的人"),
                    paragraph(
                        "招募启事写清服务内容、时间要求和能力要求。面谈时了解对方的动机、"
                        "可服务时间和特长，把人放到适合的岗位上，比单纯追求人数更重要。",
                    ),
                ],
            ),
            Lesson(
                "peixun-jili",
                "第二课 培训、督导与激励",
                30,
                [
                    heading("岗前培训与在岗督导"),
                    paragraph(
                        "新志愿者上岗前完成基础通识培训，了解服务对象和岗位要求；"
                        "上岗后由骨干带班，定期交流遇到的困难。",
                    ),
                    heading("积分激励"),
                    paragraph(
                        "服务时长和服务质量经确认后计入积分，可以兑换爱心商户提供的权益，"
                        "也是星级评定和等级晋升的依据。激励要及时、公开、公平。",
                    ),
                    callout(
                        "别忘了精神激励",
                        "一句真诚的感谢、一次公开的表扬，往往比物质奖励更能留住人。",
                    ),
                ],
            ),
            Lesson(
                "gugan-wenhua",
                "第三课 骨干培养与团队文化",
                25,
                [
                    heading("让骨干站到前台"),
                    paragraph(
                        "发现服务稳定、有责任心的志愿者，逐步交给他们带新人、组织小型活动，"
                        "并推荐参加专项技能和领导力培训。团队文化体现在固定的仪式里："
                        "每月一次的分享会、每年一次的表彰会。",
                    ),
                    quiz(
                        question(
                            "招募志愿者时，更重要的是？",
                            "人数越多越好",
                            "*把合适的人放到合适的岗位上",
                            "只招年轻人",
                        ),
                        question(
                            "下列哪些属于有效的激励方式？",
                            "*服务时长计入积分，兑换权益",
                            "*公开表扬和真诚感谢",
                            "对表现不好的志愿者公开批评",
                        ),
                        question(
                            "培养团队骨干的做法包括？",
                            "*交给他们带新人",
                            "*推荐参加领导力培训",
                            "所有事情都由队长亲自完成",
                        ),
                    ),
                ],
            ),
        ],
    ),
]
