#!/usr/bin/env bash
# playground/serve.sh [--port N] — serve the built playground (dist/) on localhost
# (default http://127.0.0.1:4173/). Build it first with playground/build.sh.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ -f "$HERE/dist/index.html" ] || { echo "serve.sh: no dist/ yet; run playground/build.sh" >&2; exit 1; }
exec node "$HERE/test/static-server.mjs" "$HERE/dist" "$@"
