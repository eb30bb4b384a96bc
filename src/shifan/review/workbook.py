"""The review sheet as an Excel workbook: a form for the reviewer and the file references, and
one row per criterion (系统核验, 分值, 自评, 评分, 现场核查, 改判, 理由, 意见).

Read by :mod:`shifan.read.xlsxdoc` into the same data as the YAML sheet; written by
:mod:`shifan.present.review_workbook`. The staleness digests (application and rubric SHA-256) are
cells of the form, so a workbook goes stale exactly like a YAML sheet.
"""

from __future__ import annotations

from shifan.read.xlsxlayout import Column, FormSheet, TableSheet, WorkbookLayout
from shifan.review.model import CONCLUSION_LABELS, REVIEW_LEVEL_LABELS, VERIFICATION_LABELS
from shifan.rules.vocab import Status

ITEMS_SHEET = "逐项评审"


def _choice(header: str, key: tuple[str, ...], labels: dict[str, str], help: str, width: int = 14) -> Column:
    return Column(header, key, "choice", help, tuple(labels.values()), width, tuple(labels))


REVIEW_LAYOUT = WorkbookLayout(
    "评审意见表工作簿",
    ITEMS_SHEET,
    (
        FormSheet(
            "评审信息",
            (
                Column("文件类型", ("kind",), "choice", "评审意见表（不要修改）", ("评审意见表",), 16, ("review",)),
                Column("申报文件", ("application", "path"), "text", "所评审的申报文件，相对本文件（工具填写）"),
                Column(
                    "申报文件 SHA-256",
                    ("application", "sha256"),
                    "text",
                    "评审时申报文件的摘要，用于判断评审是否过期（工具填写）",
                ),
                Column("申报单位", ("application", "name"), "text", "申报单位名称（工具填写）"),
                Column("单位代码", ("application", "id"), "text", "统一社会信用代码或行政区划代码（工具填写）"),
                Column("评分标准", ("rubric", "id"), "text", "评分标准编号（工具填写）"),
                Column("评分标准 SHA-256", ("rubric", "sha256"), "text", "评分标准内容的摘要（工具填写）"),
                Column("评分标准版本", ("rubric", "version"), "text", "评分标准版本（工具填写）"),
                Column("评价基准日", ("as_of",), "date", "评价基准日（工具填写）"),
                Column("评审专家", ("reviewer", "name"), "text", "评审专家姓名（必填）"),
                Column("工作单位", ("reviewer", "organisation"), "text", "评审专家工作单位"),
                Column("职称或职务", ("reviewer", "title"), "text", "评审专家职称或职务"),
                Column("签字日期", ("reviewer", "signed"), "date", "签字日期"),
                _choice(
                    "评审层级",
                    ("reviewer", "level"),
                    {k.value: v for k, v in REVIEW_LEVEL_LABELS.items()},
                    "县级初审、市级审核或省级评审（公示写明经过的评审）",
                ),
                _choice(
                    "综合结论",
                    ("final_opinion", "conclusion"),
                    {k.value: v for k, v in CONCLUSION_LABELS.items()},
                    "同意推荐、不同意推荐或待定",
                ),
                Column("综合评审意见", ("final_opinion", "text"), "text", "综合评审意见", (), 60),
            ),
        ),
        TableSheet(
            ITEMS_SHEET,
            ("items",),
            (
                Column("指标编号", ("id",), "text", "评分标准中的指标编号（勿改）", (), 10),
                Column("指标", ("items", "*", "_title"), "info", "指标名称与要求（仅供阅读）", (), 40),
                Column("分值", ("items", "*", "_points"), "info", "该项分值；否决项不评分（仅供阅读）", (), 8),
                _choice(
                    "系统核验",
                    ("items", "*", "computed", "status"),
                    {s.value: s.label for s in Status},
                    "系统依据申报数据的判定（工具填写）",
                    12,
                ),
                Column("系统得分", ("items", "*", "computed", "points"), "number", "系统计算得分（工具填写）", (), 10),
                Column(
                    "系统看到的数据",
                    ("items", "*", "computed", "observed"),
                    "text",
                    "系统看到的数据（工具填写）",
                    (),
                    40,
                ),
                Column("自评", ("items", "*", "self_score"), "number", "申报单位自评分（工具填写）", (), 8),
                Column(
                    "评分",
                    ("items", "*", "score"),
                    "number",
                    "专家评分，0 至该项分值；留空表示未评分；否决项不评分",
                    (),
                    8,
                ),
                _choice(
                    "现场核查",
                    ("items", "*", "verification"),
                    {k.value: v for k, v in VERIFICATION_LABELS.items()},
                    "已核实、未核查或与申报不符",
                ),
                _choice(
                    "改判",
                    ("items", "*", "override", "decision"),
                    {"pass": "符合", "fail": "不符合"},
                    "仅否决项：认为系统判定有误时改判，并在“理由”中写明依据",
                    10,
                ),
                Column("理由", ("items", "*", "override", "reason"), "text", "改判理由（改判时必填）", (), 30),
                Column("意见", ("items", "*", "remark"), "text", "评审意见", (), 40),
                Column(
                    "变化提示",
                    ("items", "*", "changed"),
                    "text",
                    "申报文件修改后的计算结果变化（工具填写；复核后可清空）",
                    (),
                    30,
                ),
            ),
            keyed=True,
        ),
    ),
)
