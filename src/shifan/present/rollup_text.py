"""A county's roll-up as plain text (``shifan check`` on a county)."""

from __future__ import annotations

from shifan.evaluate.rollup import Rollup


def render_rollup(rollup: Rollup) -> str:
    """Plain-text section for ``shifan check`` on a county."""
    lines = ["", f"辖区机构名册：{len(rollup.members)} 家（按 {rollup.as_of} 计算）"]
    for indicator in rollup.indicators:
        stated = "未填" if indicator.stated is None else str(indicator.stated)
        use = "采用名册汇总值" if indicator.used == "derived" else "采用县填报值"
        if indicator.stated is not None and indicator.stated != indicator.derived:
            use += "，二者不一致"
        lines.append(f"  {indicator.title}：县填报 {stated}，名册汇总 {indicator.derived}（{use}）")
    for share in rollup.shares:
        value = "无法计算" if share.derived is None else f"{share.derived:g}%"
        lines.append(f"  {share.title}（名册）：{value}")
        for laggard in share.laggards[:10]:
            lines.append(f"      拉低：{laggard.name}（{laggard.file}）——{laggard.reason}")
        if len(share.laggards) > 10:
            lines.append(f"      ……共 {len(share.laggards)} 家")
    for note in rollup.notes:
        lines.append(f"  注意：{note}")
    return "\n".join(lines) + "\n"
