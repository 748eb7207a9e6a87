#!/usr/bin/env bash
# Weekly lost-to-follow-up sweep (失访, annex 1 六(一)1): the residents of a centre not seen for a
# year become a call list; after the calls, those reached get the contact recorded and those not
# reached are archived as lost. Run it twice a week: without a filled-in call list it makes one;
# with one it applies it.
#
# Adapt the variables below (or set them in the environment); the tools must be on PATH.
set -euo pipefail
: "${HR_STORE:=/srv/hr/hr.sqlite}"
: "${HR_CONFIG:=/srv/hr/hr.yaml}"
: "${HR_OPERATOR:=admin-jfb}"                  # the centre's administrator: archiving is theirs
export HR_STORE HR_CONFIG HR_OPERATOR
org="${ORG:-500103001}"                         # the centre
work="${WORK:-/srv/hr/sweep}"
calls="$work/call-list.csv"                     # the call list, filled in by the callers
evidence="${EVIDENCE:-3 calls unanswered in the weekly sweep}"
mkdir -p "$work"

if [ ! -s "$calls" ]; then
  # 1. The candidates: active records without service or contact for lost_after_days (365).
  hr-archive candidates --org "$org" > "$work/candidates.jsonl"
  # 2. The call list: name and phone from the centre's roster, for the candidates only; the
  #    callers fill in "reached" (yes or no) in a spreadsheet and save it as CSV again.
  hr-export roster --org "$org" \
    | jq -r --slurpfile c "$work/candidates.jsonl" '
        ($c | map({(.record_no): .days_since}) | add // {}) as $due
        | select($due[.record_no] != null)
        | [.record_no, "", .name, .phone // "", .last_contact // "", $due[.record_no]] | @csv' \
    | { echo '"record_no","reached","name","phone","last_contact","days_since"'; cat; } > "$calls"
  echo "call list: $calls ($(($(wc -l < "$calls") - 1)) residents)" >&2
  exit 0
fi

# 3. Apply the filled-in call list: its first two columns, as a spreadsheet saves them (quoted
#    or not, CRLF or LF).
today="${HR_TODAY:-$(TZ=Asia/Shanghai date +%F)}"
jq -R -c 'gsub("\r"; "") | select(. != "") | split(",") | map(gsub("^\"|\"$"; ""))
          | select(.[0] != "record_no") | {record_no: .[0], reached: (.[1] | ascii_downcase)}' \
  "$calls" > "$work/outcomes.jsonl"
jq -c --arg d "$today" 'select(.reached == "yes") | {record_no, contact: {date: $d, method: "phone"}}' \
  "$work/outcomes.jsonl" | hr-update --quiet > "$work/reached.jsonl"
jq -c 'select(.reached == "no") | {record_no}' "$work/outcomes.jsonl" \
  | hr-archive lost --quiet --evidence "$evidence" > "$work/lost.jsonl"
echo "reached: $(wc -l < "$work/reached.jsonl"), archived as lost: $(wc -l < "$work/lost.jsonl")" >&2
mv "$calls" "$work/call-list-$(date +%Y%m%d%H%M%S).csv"
