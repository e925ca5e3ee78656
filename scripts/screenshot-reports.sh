#!/usr/bin/env bash
# Regenerates the README's picture of the console's report charts (docs/report-charts.png): runs the
# reports browser test against a real database and Chromium, which saves the page over a sample week.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs/report-charts.png}"
REPORT_SCREENSHOT="$(realpath -m "$out")" npx vitest run test/e2e/report-charts.e2e.test.ts
echo "saved $out ($(stat -c %s "$out") bytes)"
