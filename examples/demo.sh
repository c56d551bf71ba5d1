#!/usr/bin/env bash
# The whole loop on the bundled sandbox org: validate → plan → apply → plan ("No changes").
# Run through `make demo`, which puts the project's .venv on PATH first.
set -euo pipefail
cd "$(dirname "$0")/.."

workdir=$(mktemp -d)
cleanup() {
  [[ -n "${sandbox_pid:-}" ]] && kill "$sandbox_pid" 2>/dev/null && wait "$sandbox_pid" 2>/dev/null
  rm -rf "$workdir"
}
trap cleanup EXIT

if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$plain" >&2; }

step "Starting the sandbox (a local emulator of the Calendly API) with the Acme demo org"
calendly-reconciler sandbox serve --state "$workdir/state.json" >"$workdir/env" 2>"$workdir/sandbox.log" &
sandbox_pid=$!
for _ in $(seq 1 100); do
  [[ $(wc -l <"$workdir/env") -ge 2 ]] && break
  kill -0 "$sandbox_pid" 2>/dev/null || { cat "$workdir/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
# The sandbox prints CALENDLY_API_URL=… and CALENDLY_TOKEN=… as its first two lines.
while IFS= read -r line; do export "$line"; done < <(head -n 2 "$workdir/env")
echo "CALENDLY_API_URL=$CALENDLY_API_URL" >&2
export ACME_BOOKINGS_SIGNING_KEY="demo-signing-key-$(date +%s)"

step "calendly-reconciler validate examples/acme/"
calendly-reconciler validate examples/acme/

step "calendly-reconciler plan examples/acme/"
calendly-reconciler plan examples/acme/

step "calendly-reconciler apply examples/acme/ --auto-approve"
calendly-reconciler apply examples/acme/ --auto-approve

step "calendly-reconciler plan examples/acme/ --detailed-exitcode   (0 = nothing left to do)"
code=0  # under `set -e`, `$?` after a failing command is never seen: catch it
calendly-reconciler plan examples/acme/ --detailed-exitcode || code=$?
echo "exit code: $code" >&2
exit "$code"
