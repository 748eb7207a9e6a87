#!/usr/bin/env bash
# The demo pipeline: a fresh store under demo-out/, the example configuration, a sample
# population, and the tools piped together the way a district script uses them.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${HR_BIN:-.build/release}"
export PATH="$bin:$PATH"
out=demo-out
rm -rf "$out"
mkdir -p "$out"
export HR_STORE="$out/hr.sqlite" HR_CONFIG=examples/hr.yaml HR_TODAY=2026-11-26

step() { printf '\n== %s\n' "$*" >&2; }
# An early cut of a tool's output uses `sed -n`, which reads to the end: `head` would leave the tool
# writing into a closed pipe, and pipefail would stop the demo.
# Runs a step that is expected to refuse something, showing its exit status.
refused() { "$@" || echo "exit status $? (65: a line was rejected)" >&2; }

step "Generate 300 sample residents; a third of the adults were registered in June 2025"
hr-bench people --count 300 --seed 2024 --birth-certificates 0.05 \
  | jq -c 'if has("id_number") and (.id_number[6:10] | tonumber) < 2020 and (input_line_number % 3 == 0)
           then . + {created_on: "2025-06-01"} else . end' > "$out/people.jsonl"
head -n 2 "$out/people.jsonl"

step "Check them against the register, then create their records (city administrator)"
export HR_OPERATOR=admin-city
hr-create < /dev/null  # the first run creates the store, and says so; no other tool ever does
hr-create --check "$out/people.jsonl" | jq -s 'map(select(.exists)) | length' | sed 's/^/already registered: /'
hr-create "$out/people.jsonl" > "$out/created.jsonl"
head -n 3 "$out/created.jsonl"

step "Register the first resident a second time: the duplicate check refuses it"
head -n 1 "$out/people.jsonl" | refused hr-create --rejects "$out/rejects.jsonl"
jq -c '{code, record_no, managing_org, status}' "$out/rejects.jsonl"

step "A newborn registered by birth certificate, then again by ID number at another centre"
# No identifier is shared, so the duplicate check cannot see it; hr-audit duplicates will.
echo '{"birth_cert_no":"O500026001","name":"刘小宝","sex":1,"birth_date":"2026-09-01","division":"500106001001","org":"500106001"}' \
  | hr-create
echo '{"id_number":"500106202609010012","name":"刘小宝","division":"500106002001","org":"500106001"}' | hr-create

step "Update basic information: new phone numbers for the first five records"
head -n 5 "$out/created.jsonl" | jq -c '{record_no, set: {phone: "13800000000"}}' | hr-update | sed -n 1,2p

step "Record this month's consultations for the residents registered this year"
# created.jsonl holds one result per line of people.jsonl, in input order.
jq -c -n --slurpfile people "$out/people.jsonl" '[inputs] | to_entries[]
    | select($people[.key].created_on == null) | .value
    | {record_no, service: {type: "consultation", date: "2026-11-25", org: .managing_org, summary: {complaint: "随访"}}}' \
  "$out/created.jsonl" > "$out/services.jsonl"
hr-update "$out/services.jsonl" | tail -n 1

step "An elderly resident's free annual examination, then a second one elsewhere the same year"
elder=$(sqlite3 "$HR_STORE" "SELECT record_no FROM record WHERE birth_date <= '1961-11-26' AND managing_org = '500103001' AND status = 'active' LIMIT 1")
echo "{\"record_no\":\"$elder\",\"service\":{\"type\":\"elderly_exam\",\"date\":\"2026-06-12\",\"summary\":{\"bp\":\"150/95\"}}}" \
  | HR_OPERATOR=doc-li hr-update > "$out/exam.jsonl"
cat "$out/exam.jsonl"
echo "{\"record_no\":\"$elder\",\"service\":{\"type\":\"elderly_exam\",\"date\":\"2026-11-20\"}}" \
  | HR_OPERATOR=doc-zhao refused hr-update

step "Correct the saved examination: an amendment beside it, approved by the centre's administrator"
jq -c '{service_id, changes: {summary: {bp: "130/85"}}, reason: "血压录入错误", approved_by: "admin-jfb"}' "$out/exam.jsonl" \
  | HR_OPERATOR=doc-li hr-update amend

step "Five residents of 解放碑 move to 沙坪坝: requested by the receiving centre, confirmed by the managing one"
jq -c 'select(.managing_org == "500103001")' "$out/created.jsonl" | sed -n 1,5p \
  | HR_OPERATOR=doc-zhao hr-transfer request --to 500106001 --reason residence_change \
      --consent-method sms_phone --consent-ref SMS-20261126 > "$out/requested.jsonl"
HR_OPERATOR=admin-jfb hr-transfer list --status pending --format table
HR_OPERATOR=admin-jfb hr-transfer confirm < "$out/requested.jsonl" | sed -n 1p
head -n 1 "$out/requested.jsonl" | jq -c '{record_no}' \
  | HR_OPERATOR=admin-xlk refused hr-transfer request --to 500103001 --reason own_request \
      --consent-method signed_form --consent-ref F-0001

step "Records without contact for a year: the candidates, then three archived as lost to follow-up"
hr-archive candidates | wc -l | sed 's/^/candidates: /'
hr-archive candidates | sed -n 1,3p | hr-archive lost --evidence "3 calls unanswered, home visit 2026-11-20"
hr-archive candidates | sed -n 4p \
  | hr-archive deceased --death-date 2026-11-02 --death-cause "急性心肌梗死" --reported-on 2026-11-20

step "Open records: the resident at the counter, then an emergency department (break the glass)"
self_id=$(sqlite3 "$HR_STORE" "SELECT value FROM identifier WHERE record_no = '$elder' AND kind = 'id_number' LIMIT 1")
echo "{\"record_no\":\"$elder\",\"viewer\":{\"kind\":\"self\",\"id_number\":\"$self_id\"}}" \
  | HR_OPERATOR=doc-li hr-export record | jq -c '{record_no, disclosure, services: (.services | length)}'
echo "{\"record_no\":\"$elder\"}" \
  | HR_OPERATOR=doc-zhao hr-export record --viewer emergency --reason "unconscious on arrival" | jq -c '{record_no, viewer}'

step "The centre's call list of its elderly residents, as a table"
HR_OPERATOR=admin-jfb hr-export roster --tag elderly --format table | sed -n 1,4p

step "A research export: the city approves, the researcher exports de-identified records under it"
key="$out/pseudonym.key"
head -c 32 /dev/urandom > "$key"
chmod 600 "$key"
printf 'export:\n  k: 3\n  age_band_years: 10\n  pseudonym_key_file: %s\n' "$key" \
  | cat <(sed '/^export:/,$d' examples/hr.yaml) - > "$out/hr-research.yaml"
echo '{"ref":"CQ-2026-7","grantee":"researcher-1","scope":"city","purpose":"慢病管理研究","expires":"2027-12-31"}' \
  | HR_CONFIG="$out/hr-research.yaml" HR_OPERATOR=admin-city hr-export approve
HR_CONFIG="$out/hr-research.yaml" HR_OPERATOR=researcher-1 \
  hr-export deid --approval CQ-2026-7 --report "$out/deid-report.json" | sed -n 1,2p
cat "$out/deid-report.json"

step "The audit trail: keep the head, verify the chain against it, read a resident's access report"
hr-audit head --operator auditor-1 > "$out/head.json"
hr-audit verify --operator auditor-1 --expect-head "$(cat "$out/head.json")"
hr-audit access --operator auditor-1 --record "$elder" | jq -c '{at, use, action, operator_name}'

step "Data quality and probable duplicates"
hr-audit quality --operator admin-city | jq -r .finding | sort | uniq -c
hr-audit duplicates --operator admin-city

step "The year's evaluation indicators by district, for a terminal and as a report to print"
hr-metrics --operator admin-city --by district --format table | cut -c1-150
hr-metrics --operator admin-city --by district --format html > "$out/metrics.html"
echo "report: $out/metrics.html ($(wc -c < "$out/metrics.html") bytes)"

step "The store"
sqlite3 "$HR_STORE" "SELECT status, coalesce(archive_reason, ''), count(*) FROM record GROUP BY 1, 2"
sqlite3 "$HR_STORE" "SELECT action, outcome, count(*) FROM audit_event GROUP BY action, outcome"
