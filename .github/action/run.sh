#!/usr/bin/env bash
# The GitHub Action's step (action.yml): builds occheck from the action's
# own checkout, so the ref a workflow pins is the occheck it runs, then runs
# it with the inputs. occheck itself appends the Markdown summary to
# $GITHUB_STEP_SUMMARY and the verdict and counts to $GITHUB_OUTPUT.
set -uo pipefail

# One build per checkout of the action (two refs in one job are two).
bin="${RUNNER_TEMP:-/tmp}/occheck-action/$(printf '%s' "$GITHUB_ACTION_PATH" | sha256sum | cut -c1-16)/occheck"
if [ ! -x "$bin" ]; then
  if ! (cd "$GITHUB_ACTION_PATH" && go build -o "$bin" ./cmd/occheck); then
    echo "::error title=occheck::could not build occheck from $GITHUB_ACTION_PATH"
    exit 3
  fi
fi

report_dir="${INPUT_REPORT_DIR:-occheck-reports}"
args=(run --no-color --report-dir "$report_dir")
add() { if [ -n "$2" ]; then args+=("$1" "$2"); fi; }
add --config "${INPUT_CONFIG:-}"
add --plan "${INPUT_PLAN:-}"
add --token-url "${INPUT_TOKEN_URL:-}"
add --issuer "${INPUT_ISSUER:-}"
add --metadata-url "${INPUT_METADATA_URL:-}"
add --client-id "${INPUT_CLIENT_ID:-}"
add --scope "${INPUT_SCOPE:-}"
add --baseline "${INPUT_BASELINE:-}"
IFS=',' read -ra profiles <<< "${INPUT_PROFILES:-}"
for p in "${profiles[@]}"; do
  p="${p// /}"
  if [ -n "$p" ]; then args+=(--profile "$p"); fi
done
# Extra arguments: split on spaces and newlines, no shell quoting (a value
# with spaces goes in the config input's YAML file instead).
if [ -n "${INPUT_ARGS:-}" ]; then
  while IFS= read -r line; do
    read -ra words <<< "$line"
    args+=("${words[@]}")
  done <<< "$INPUT_ARGS"
fi
if [ -z "${OCCHECK_CLIENT_SECRET:-}" ]; then
  unset OCCHECK_CLIENT_SECRET # an empty input is no secret at all
fi

"$bin" "${args[@]}"
code=$?
echo "report-dir=$report_dir" >> "$GITHUB_OUTPUT"
if ! grep -q '^verdict=' "$GITHUB_OUTPUT" 2>/dev/null; then
  # A usage error or a server that could not be reached: no report.
  printf 'verdict=could-not-run\nexit-code=%s\n' "$code" >> "$GITHUB_OUTPUT"
fi
case "$code" in
  0) ;;
  1) echo "::error title=occheck::not conformant: see the step summary and $report_dir" ;;
  *) echo "::error title=occheck::occheck could not check the server (exit $code)" ;;
esac
if [ "$code" = 1 ] && [ "${INPUT_FAIL:-true}" = "false" ]; then
  exit 0
fi
exit "$code"
