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
echo "== 3. 批量评价 applications/ 下全部示例（评审意见表在 applications/reviews/） =="
"${SHIFAN[@]}" batch applications --reviews applications/reviews -o "$OUT/batch"
batch=$?

echo
echo "== 4. 拟推荐名单：每类申报推荐 5 个 =="
"${SHIFAN[@]}" recommend applications --reviews applications/reviews --quota 5 -o "$OUT/recommend"
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
echo "  recommend/notice.txt                       公示文本"
echo "  reports/                                   评审意见表和空白评分表"
exit $((batch > recommend ? batch : recommend))
