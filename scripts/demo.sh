#!/usr/bin/env bash
# The main job on the shipped samples: validate the rubrics, evaluate every sample application
# with its reviews (JSON, 自评报告 PDF, summary CSV/XLSX), and draw up the 拟推荐名单.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/demo}
SHIFAN=(.venv/bin/python -m shifan)
mkdir -p "$OUT"

echo "== 1. 校验评分标准 =="
"${SHIFAN[@]}" criteria validate || exit 2

echo
echo "== 2. 逐个核验：一家机构的逐项结果 =="
"${SHIFAN[@]}" check applications/institutions/04-renhe-uncertified-staff.yaml
echo "（退出码 $?：0 具备申报资格，1 不具备或证据不足）"

echo
echo "== 2b. 合理性提示：不影响得分和结论，提醒评审专家优先核实（示例 10 护理人员明显偏少） =="
"${SHIFAN[@]}" check applications/institutions/10-huaxi-larger-fire.yaml | grep -A3 "合理性提示"

echo
echo "== 3. 批量评价 applications/ 下全部示例（评审意见表在 applications/reviews/，用 --reviews 指定） =="
"${SHIFAN[@]}" batch applications --reviews applications/reviews -o "$OUT/batch"
batch=$?

echo
echo "== 4. 拟推荐名单：排序前检查 =="
echo "演示目录 $OUT/申报材料 复制了全部示例，另加一份“01-kangning-eligible - 副本.yaml”（同一统一社会信用代码、未经评审）。"
echo "排序前检查发现同一申报单位有两个文件：两份都不参加排序，退出码为 1，公示文本标明不得发布。"
rm -rf "$OUT/申报材料"
cp -r applications "$OUT/申报材料"
cp "$OUT/申报材料/institutions/01-kangning-eligible.yaml" "$OUT/申报材料/institutions/01-kangning-eligible - 副本.yaml"
"${SHIFAN[@]}" recommend "$OUT/申报材料" --reviews "$OUT/申报材料/reviews" --quota 5 -o "$OUT/recommend-preflight" --no-pdf
echo "（退出码 $?：1 表示排序前检查有须先处理的问题）"

echo
echo "== 4b. 用 --prefer reviewed 指定以有专家评审的文件为准，生成拟推荐名单 =="
echo "给出了评审意见表（--reviews），因此未经专家评审的申报单位不参加排序（--require-review 的缺省）；"
echo "每套评分标准各成一张名单；低于评分标准合格线的不推荐；发文机关、年度写在名单和公示的标题和红头。"
"${SHIFAN[@]}" recommend "$OUT/申报材料" --reviews "$OUT/申报材料/reviews" --quota 5 --prefer reviewed -o "$OUT/recommend" \
  --issuer 示例省卫生健康委员会 --province 示例省 --year 2026
recommend=$?

echo
echo "== 5. 报告 =="
"${SHIFAN[@]}" report review applications/institutions/02-ankang-low-occupancy.yaml \
  applications/reviews/02-*.yaml -o "$OUT/reports/02-评审意见表.pdf"
"${SHIFAN[@]}" report sheet --criteria national/institution --reviewers 3 -o "$OUT/reports/评分表.pdf"

echo
echo "结果已写入 $OUT/："
echo "  batch/summary.xlsx、batch/summary.csv     全部申报单位的汇总表"
echo "  batch/applicants/                          每个申报单位的 JSON 和自评报告 PDF"
echo "  recommend/recommendation.pdf、.xlsx        拟推荐名单（附件列明未推荐的原因）"
echo "  recommend/recommendation.docx              拟推荐名单 Word 版"
echo "  recommend/notice.txt、notice.docx          公示文本和 Word 版（评审经过按评审意见表的评审层级写明）"
echo "  recommend/preflight.txt                    排序前检查的结果"
echo "  recommend-preflight/                       有副本时的名单：排序前检查未通过，不得发布"
echo "  reports/                                   评审意见表和空白评分表"
exit $((batch > recommend ? batch : recommend))
