#!/usr/bin/env bash
# Nightly load: the day's new residents from the centre's spreadsheet, saved as CSV, become
# records; the rows refused go to the clerk, and the rows the clerk fixed since last night are
# fed back. Run it from cron after the spreadsheet is saved, e.g. 30 22 * * *.
#
# Adapt the variables below (or set them in the environment); the tools must be on PATH.
set -euo pipefail
: "${HR_STORE:=/srv/hr/hr.sqlite}"         # the store; only hr-create creates it
: "${HR_CONFIG:=/srv/hr/hr.yaml}"          # the configuration, see hr.yaml(5)
: "${HR_OPERATOR:=doc-li}"                 # who loads: a clinician or administrator of the centre
export HR_STORE HR_CONFIG HR_OPERATOR
input="${INPUT:-/srv/hr/inbox/people.csv}"  # today's spreadsheet, saved as CSV (UTF-8)
work="${WORK:-/srv/hr/nightly}"             # where the night's files are kept
fixed="$work/fixed.jsonl"                   # the clerk's corrected rows, one JSON object a line
mkdir -p "$work"

# 1. Load the spreadsheet. Exit 65 means some rows were refused: the others are in the store.
status=0
hr-create --quiet --rejects "$work/rejects.jsonl" "$input" > "$work/created.jsonl" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 65 ] || exit "$status"

# 2. A resident who has a record already is not an error to fix: the next step is a transfer
#    (hr-transfer request). Keep those apart, with the record they already have.
jq -c 'select(.code == "duplicate_record") | {record_no, managing_org, row: .line}' \
  "$work/rejects.jsonl" > "$work/existing.jsonl"

# 3. Every other refused row goes to the clerk with its spreadsheet row number and the reason.
#    The clerk corrects "input" (the row as a JSON object) and saves the corrected objects in
#    fixed.jsonl, one a line, e.g.
#      jq -c .input to-fix.jsonl > fixed.jsonl && "$EDITOR" fixed.jsonl
jq -c 'select(.code != "duplicate_record") | {row: .line, code, error, input: (.input | try fromjson catch .)}' \
  "$work/rejects.jsonl" > "$work/to-fix.jsonl"

# 4. Feed back what the clerk fixed since last night; what is still wrong goes back to the clerk.
if [ -s "$fixed" ]; then
  status=0
  hr-create --quiet --rejects "$work/still-wrong.jsonl" "$fixed" >> "$work/created.jsonl" || status=$?
  [ "$status" -eq 0 ] || [ "$status" -eq 65 ] || exit "$status"
  jq -c '{row: .line, code, error, input: (.input | try fromjson catch .)}' "$work/still-wrong.jsonl" >> "$work/to-fix.jsonl"
  mv "$fixed" "$work/fixed-$(date +%Y%m%d%H%M%S).jsonl"
fi

echo "created: $(wc -l < "$work/created.jsonl"), to fix: $(wc -l < "$work/to-fix.jsonl")," \
  "already registered: $(wc -l < "$work/existing.jsonl")" >&2
