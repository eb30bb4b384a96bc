#!/usr/bin/env bash
# Runs shifan on every shipped sample application and writes the results under the given folder.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/demo}
SHIFAN=(.venv/bin/python -m shifan)
mkdir -p "$OUT"

echo "== 评分标准 =="
"${SHIFAN[@]}" criteria validate || exit 2
echo
status=0
for app in applications/institutions/*.yaml applications/regions/*.yaml; do
  name=$(basename "$app" .yaml)
  "${SHIFAN[@]}" check "$app" --format json >"$OUT/$name.json"
  code=$?
  case $code in
    0) verdict="具备申报资格" ;;
    1) verdict="不具备申报资格或证据不足" ;;
    *) verdict="文件有误（退出码 $code）"; status=2 ;;
  esac
  printf '%-36s %s\n' "$name" "$verdict"
done
echo
echo "示例：applications/institutions/04-renhe-uncertified-staff.yaml 的逐项结果"
"${SHIFAN[@]}" check applications/institutions/04-renhe-uncertified-staff.yaml
echo
echo "结果已写入 $OUT/"
exit $status
