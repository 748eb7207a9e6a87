#!/usr/bin/env bash
# Builds the tools in release and runs every benchmark, each tool's figures next to its floor.
#
#   Benchmarks/run.sh [count] [pairs]   # lines per benchmark (default 200000); runs of each
#                                       # tool next to its floor (default 3), with their median
#
# sqlite-utils, the reference hr-create is compared with, is installed into a throwaway virtual
# environment under the working directory, which is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200000}
pairs=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/hr-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT

swift build -c release --static-swift-stdlib --product hr-bench >&2
for tool in hr-create hr-update hr-transfer hr-archive hr-audit; do swift build -c release --static-swift-stdlib --product "$tool" >&2; done
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

python3 -m venv "$work/venv" >&2
"$work/venv/bin/pip" install --quiet sqlite-utils >&2
echo "sqlite-utils $("$work/venv/bin/sqlite-utils" --version | awk '{print $NF}'), sqlite3 $(sqlite3 --version | awk '{print $1}'), $(nproc) cores"

"$bin/hr-bench" create --count "$count" --pairs "$pairs" --workdir "$work/create" --sqlite-utils "$work/venv/bin/sqlite-utils"
"$bin/hr-bench" services --residents $((count / 5)) --services "$count" --pairs "$pairs" --workdir "$work/services"
"$bin/hr-bench" services --residents $((count / 5)) --services "$count" --pairs "$pairs" --raise-last-contact --workdir "$work/services-raising"
"$bin/hr-bench" transfer --count "$count" --pairs "$pairs" --workdir "$work/transfer"
"$bin/hr-bench" archive --count "$count" --pairs "$pairs" --workdir "$work/archive"
"$bin/hr-bench" verify --events $((count * 5)) --pairs "$pairs" --workdir "$work/verify"
"$bin/hr-bench" startup --workdir "$work/startup"
