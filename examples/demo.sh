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

step "Generate 300 sample residents of the example organisations"
hr-bench people --count 300 --seed 2024 --birth-certificates 0.05 > "$out/people.jsonl"
head -n 2 "$out/people.jsonl"

step "Check them against the register, then create their records (city administrator)"
HR_OPERATOR=admin-city hr-create --check "$out/people.jsonl" | jq -s 'map(select(.exists)) | length' \
  | sed 's/^/already registered: /'
HR_OPERATOR=admin-city hr-create "$out/people.jsonl" > "$out/created.jsonl"
head -n 3 "$out/created.jsonl"

step "Register the first resident a second time: the duplicate check refuses it"
head -n 1 "$out/people.jsonl" \
  | HR_OPERATOR=admin-city hr-create --rejects "$out/rejects.jsonl" || echo "exit status $? (65: a line was rejected)"
jq -c '{code, record_no, managing_org, status}' "$out/rejects.jsonl"

step "The store"
sqlite3 "$HR_STORE" "SELECT managing_org, count(*) FROM record GROUP BY managing_org"
sqlite3 "$HR_STORE" "SELECT action, outcome, count(*) FROM audit_event GROUP BY action, outcome"
