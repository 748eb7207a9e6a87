#!/usr/bin/env bash
# Daily transfer inbox (档案转迁, annex 1 四): the centre answers the transfer requests for its
# residents within transfer_confirm_days (7). Requests for residents on the hold list are
# rejected with the reason given there; every other pending request is confirmed.
#
# Adapt the variables below (or set them in the environment); the tools must be on PATH.
set -euo pipefail
: "${HR_STORE:=/srv/hr/hr.sqlite}"
: "${HR_CONFIG:=/srv/hr/hr.yaml}"
: "${HR_OPERATOR:=admin-jfb}"          # the managing centre's administrator decides transfers
export HR_STORE HR_CONFIG HR_OPERATOR
org="${ORG:-500103001}"                 # the managing centre, whose inbox this is
work="${WORK:-/srv/hr/transfers}"
hold="${HOLD:-$work/hold.jsonl}"       # {"record_no":…,"rejection_reason":…} a line, or absent
mkdir -p "$work"
[ -f "$hold" ] || : > "$hold"

# 1. The inbox: pending requests for records this centre manages, oldest first.
hr-transfer list --from-org "$org" --status pending > "$work/inbox.jsonl"

# 2. Those on the hold list are rejected with their reason; the rest are confirmed.
jq -c --slurpfile hold "$hold" '
    ($hold | map({(.record_no): .rejection_reason}) | add // {}) as $why
    | select($why[.record_no] != null) | . + {rejection_reason: $why[.record_no]}' \
  "$work/inbox.jsonl" | hr-transfer reject --quiet > "$work/rejected.jsonl"
jq -c --slurpfile hold "$hold" '
    ($hold | map(.record_no)) as $held | select(.record_no | IN($held[]) | not)' \
  "$work/inbox.jsonl" | hr-transfer confirm --quiet > "$work/confirmed.jsonl"

# 3. What is still waiting anywhere in reach and past its deadline, for the morning meeting.
hr-transfer overdue --format table >&2
echo "confirmed: $(wc -l < "$work/confirmed.jsonl"), rejected: $(wc -l < "$work/rejected.jsonl")" >&2
