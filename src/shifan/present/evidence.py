"""The 材料清单: per criterion, which evidence it needs, which attached files satisfy it and
which are missing; and the attachments that serve no criterion."""

from __future__ import annotations

from typing import Any

from shifan.evaluate.pipeline import Checked


def evidence_list(checked: Checked) -> dict[str, Any]:
    """The list as data (also the JSON output)."""
    result = checked.result
    needed = {use.type for criterion in result.criteria for use in criterion.evidence}
    criteria = [
        {
            "id": criterion.id,
            "title": criterion.title,
            "needs": [
                {"type": use.type, "title": use.title, "files": list(use.files), "missing": not use.files}
                for use in criterion.evidence
            ],
        }
        for criterion in result.criteria
        if criterion.evidence
    ]
    types = checked.rubric.evidence_types
    unused = [
        {"type": a.type, "title": types.get(a.type, a.type), "path": a.path, "name": a.title}
        for a in checked.loaded.app.attachments
        if a.type not in needed
    ]
    missing = sorted({use.title for criterion in result.criteria for use in criterion.evidence if not use.files})
    return {
        "applicant": result.applicant.name,
        "rubric": checked.rubric.id,
        "criteria": criteria,
        "missing": missing,
        "unused": unused,
    }


def render_evidence(checked: Checked) -> str:
    """The list as terminal text."""
    data = evidence_list(checked)
    lines = [f"材料清单：{data['applicant']}（评分标准 {data['rubric']}）", ""]
    for item in data["criteria"]:
        lines.append(f"{item['id']} {item['title']}")
        for need in item["needs"]:
            if need["missing"]:
                lines.append(f"  ✘ {need['title']}：缺少")
            else:
                lines.append(f"  ✔ {need['title']}：{'、'.join(need['files'])}")
    lines.append("")
    if data["missing"]:
        lines.append(f"缺少的材料（{len(data['missing'])} 种）：" + "、".join(data["missing"]))
    else:
        lines.append("各项指标需要的佐证材料均已附上。")
    if data["unused"]:
        lines.append(f"未对应任何指标的附件（{len(data['unused'])} 个）：")
        lines.extend(f"  · {u['path']}（{u['title']}）" for u in data["unused"])
    return "\n".join(lines) + "\n"
