#!/usr/bin/env bash
# Fetches axe-core, the accessibility engine of the browser tests, from the npm registry with
# `npm pack`, so that tests/browser/vendor/ can be rebuilt and checked byte for byte. It is
# test-only: the application never serves it. Change the version here, run it, commit the result.
set -euo pipefail

AXE_CORE_VERSION=4.14.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENDOR=$ROOT/tests/browser/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "axe-core@$AXE_CORE_VERSION" >/dev/null
tar -xzf "axe-core-$AXE_CORE_VERSION.tgz"
mkdir -p "$VENDOR"
cp package/axe.min.js "$VENDOR/axe.min.js"
cp package/LICENSE "$VENDOR/axe-core-LICENSE"
cat >"$VENDOR/README.md" <<NOTE
# Vendored test libraries

Used only by the browser tests (\`tests/browser/test_accessibility.py\`); never served by Intake.

| File | Package | Version | Licence | Source |
|---|---|---|---|---|
| axe.min.js | axe-core | $AXE_CORE_VERSION | MPL-2.0 (axe-core-LICENSE) | npm pack axe-core@$AXE_CORE_VERSION, axe.min.js |

Rebuilt by \`scripts/vendor-test-assets.sh\`. sha256:

\`\`\`
$(cd "$VENDOR" && sha256sum axe.min.js)
\`\`\`
NOTE
echo "vendored axe-core $AXE_CORE_VERSION into $VENDOR"
