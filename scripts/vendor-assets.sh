#!/usr/bin/env bash
# Fetches the vendored browser libraries from the npm registry with `npm pack`, so that the files
# in web/static/vendor/ can be rebuilt and checked byte for byte. Change a version here, run it,
# commit the result.
set -euo pipefail

CHART_JS_VERSION=4.5.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENDOR=$ROOT/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "chart.js@$CHART_JS_VERSION" >/dev/null
tar -xzf "chart.js-$CHART_JS_VERSION.tgz"
mkdir -p "$VENDOR"
cp package/dist/chart.umd.min.js "$VENDOR/chart.umd.min.js"
cp package/LICENSE.md "$VENDOR/chart.js-LICENSE.md"
cat >"$VENDOR/README.md" <<NOTE
# Vendored browser libraries

| File | Package | Version | Licence | Source |
|---|---|---|---|---|
| chart.umd.min.js | chart.js | $CHART_JS_VERSION | MIT (chart.js-LICENSE.md) | npm pack chart.js@$CHART_JS_VERSION, dist/chart.umd.min.js |

Rebuilt by \`scripts/vendor-assets.sh\`. sha256:

\`\`\`
$(cd "$VENDOR" && sha256sum chart.umd.min.js)
\`\`\`
NOTE
echo "vendored chart.js $CHART_JS_VERSION into $VENDOR"
