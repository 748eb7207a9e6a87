#!/usr/bin/env bash
# Monthly indicator report (绩效评价): the district's evaluation indicators for the year to date,
# per centre, as an HTML page to print and a CSV for the spreadsheet, and one line per centre
# for the e-mail. Run it on the first of the month, e.g. 0 7 1 * *.
#
# Adapt the variables below (or set them in the environment); the tools must be on PATH.
set -euo pipefail
: "${HR_STORE:=/srv/hr/hr.sqlite}"
: "${HR_CONFIG:=/srv/hr/hr.yaml}"
: "${HR_OPERATOR:=admin-yz}"               # the district administrator
export HR_STORE HR_CONFIG HR_OPERATOR
district="${DISTRICT:-500103}"
work="${WORK:-/srv/hr/reports}"
year="${YEAR:-$(TZ=Asia/Shanghai date +%Y)}"
month="${MONTH:-$(TZ=Asia/Shanghai date +%Y-%m)}"
mkdir -p "$work"

hr-metrics --district "$district" --by org --year "$year" --format html > "$work/indicators-$month.html"
hr-metrics --district "$district" --by org --year "$year" --format csv > "$work/indicators-$month.csv"
hr-metrics --district "$district" --by org --year "$year" \
  | jq -r '"\(.code) \(.name): \(.records_active) records under management, usage rate \(.usage_rate.value // "-"),"
           + " transfers overdue \(.transfers.overdue)"' \
  > "$work/summary-$month.txt"
cat "$work/summary-$month.txt" >&2
