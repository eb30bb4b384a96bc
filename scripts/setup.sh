#!/usr/bin/env bash
# Installs what shifan needs on Debian/Ubuntu: system packages (fonts, PDF engine libraries,
# poppler for the tests, Chromium and the PostgreSQL server for the workbench's tests), then a virtual environment with the package and its dev tools.
# As root it installs system packages itself; otherwise it prints the exact command and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
# LibreOffice (headless Writer and Calc) converts the Word and Excel outputs to PDF in the tests;
# Chromium runs the browser tests of the web workbench; the PostgreSQL server runs its tests on PostgreSQL
# (a throwaway cluster per test run, never the system's own).
PACKAGES=(fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils python3-venv
  libreoffice-writer-nogui libreoffice-calc-nogui chromium postgresql)

missing=()
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || missing+=("$pkg")
  done
  # A Python that is not Debian's own (pyenv, a container image) brings its venv module itself.
  if [[ " ${missing[*]-} " == *" python3-venv "* ]] && "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    missing=("${missing[@]/python3-venv}")
  fi
  read -r -a missing <<<"${missing[*]-}"
fi

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "安装系统软件包：${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "缺少系统软件包：${missing[*]}" >&2
    echo "请先运行：sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "需要 Python 3.11 或更高版本（当前：$("$PYTHON" --version 2>&1)）" >&2
  exit 1
fi

stamp="$VENV/.shifan-installed"
if [[ ! -x $VENV/bin/python || ! -f $stamp || pyproject.toml -nt $stamp ]]; then
  [[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"
  # (pip's notes about unreachable extra index folders on some machines are noise here)
  "$VENV/bin/python" -m pip install --quiet --upgrade pip 2> >(grep -v '^WARNING: Location' >&2)
  "$VENV/bin/python" -m pip install --quiet -e ".[dev]" 2> >(grep -v '^WARNING: Location' >&2)
  touch "$stamp"
fi

# The CJK font subsets are built once per machine (half a minute); doing it here keeps the first
# report fast and fails early, with the install command, when no Chinese font is installed.
"$VENV/bin/python" scripts/build_fonts.py
