#!/bin/sh
# Before/after of the organization import in one session, interleaved so that both see the same load:
# REPEAT rounds of (before, after), each on a fresh database, ROWS rows. BEFORE is a git revision.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/gonghui_imports bench/import_orgs_compare.sh
set -e
ROWS=${ROWS:-10000}; REPEAT=${REPEAT:-3}; BEFORE=${BEFORE:-8d2ece5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
OLD=$(mktemp -d)
git -C "$HERE" archive "$BEFORE" | tar -x -C "$OLD"
DB=$(basename "$DATABASE_URL")
fresh() {
  dropdb --if-exists -h 127.0.0.1 -U postgres "$DB" 2>/dev/null
  createdb -h 127.0.0.1 -U postgres "$DB"
  "$HERE/.venv/bin/gonghui" migrate -v0
}
for i in $(seq "$REPEAT"); do
  echo "== round $i before ($BEFORE) $(date -u +%H:%M:%S)"
  fresh; "$HERE/.venv/bin/python" "$HERE/bench/import_orgs.py" --rows "$ROWS" --query-rows 0 --code "$OLD" ${BEFORE_ARGS}
  echo "== round $i after $(date -u +%H:%M:%S)"
  fresh; "$HERE/.venv/bin/python" "$HERE/bench/import_orgs.py" --rows "$ROWS" --query-rows 0
done
rm -rf "$OLD"
