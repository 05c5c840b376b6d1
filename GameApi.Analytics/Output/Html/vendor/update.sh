#!/usr/bin/env bash
# Refreshes the charting library inlined into `report --output report.html` (ADR 0006): the UMD builds
# of Vega, Vega-Lite and vega-embed from npm, at the versions below, with their licences.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack vega@6.4.0 vega-lite@6.5.0 vega-embed@7.3.0 >/dev/null)
for package in vega vega-lite vega-embed; do
  mkdir -p "$tmp/$package"
  tar xzf "$tmp/$package"-[0-9]*.tgz -C "$tmp/$package"
  cp "$tmp/$package/package/build/$package.min.js" .
  cp "$tmp/$package/package/LICENSE" "LICENSE-$package"
done
