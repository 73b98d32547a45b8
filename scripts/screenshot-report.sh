#!/usr/bin/env sh
# Regenerates docs/images/report.png: the HTML report as headless Chromium shows it (1400x1000).
#
#   scripts/screenshot-report.sh                  # the synthetic demo fleet of the tests
#   scripts/screenshot-report.sh reports/latest.json   # a real report, e.g. after `dotnet run --project functions/AckFc.Local -- sweep`
#
# Needs Debian's chromium (`sudo apt-get install chromium`) or ACKFC_CHROMIUM pointing at a Chromium/Chrome binary.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
report=""
if [ $# -gt 0 ]; then
  [ -f "$1" ] || { echo "no report file at $1" >&2; exit 2; }
  report=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fi
ACKFC_SCREENSHOT_REPORT="$report" ACKFC_SCREENSHOT_OUT="$root/docs/images/report.png" \
  dotnet test "$root/tests/AckFc.Core.Tests" --filter "Category=Screenshot"
echo "wrote docs/images/report.png"
