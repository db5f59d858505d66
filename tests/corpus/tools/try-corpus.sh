#!/usr/bin/env bash
# Runs every corpus case through `xtask regen --root` (each case in its own scratch root), then
# `cargo check`s each generated crate inside one scratch workspace that shares the repository's
# [workspace.package], [workspace.dependencies] and Cargo.lock (so dependencies build once).
# Prints one line per case: case, regen exit code, regen wall time, check result.
# Used to record today's behaviour ("before") in README.md; not the test harness.
#
#   XTASK=/path/to/xtask  tests/corpus/tools/try-corpus.sh  [case-name ...]
# Needs: a built xtask (cargo build -p xtask), CARGO_TARGET_DIR for the checks, python3.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)        # tests/corpus
repo=$(cd "$here/../.." && pwd)
out=${OUT:-/tmp/corpus-try}
xtask=${XTASK:?set XTASK to the xtask binary}
rm -rf "$out"; mkdir -p "$out/ws/crates"
python3 - "$repo/Cargo.toml" > "$out/ws/Cargo.toml" <<'PY'
import sys, re
text = open(sys.argv[1]).read()
keep = []
section = None
for line in text.splitlines():
    m = re.match(r'^\[(.+)\]\s*$', line)
    if m:
        section = m.group(1)
    if section in ('workspace.package', 'workspace.dependencies'):
        keep.append(line)
print('[workspace]\nresolver = "3"\nmembers = ["crates/*"]\n')
print('\n'.join(keep))
PY
cp "$repo/Cargo.lock" "$out/ws/Cargo.lock"
cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for f in "$here"/cases/* "$here"/public/*.yaml; do cases+=("$f"); done
fi
for c in "${cases[@]}"; do
  [ -e "$c" ] || c=$(ls -d "$here"/cases/"$c"* "$here"/public/"$c"* 2>/dev/null | head -1)
  name=$(basename "$c"); name=${name%.*}
  root="$out/roots/$name"; mkdir -p "$root/specs"
  if [ -d "$c" ]; then cp "$c"/* "$root/specs/"; else cp "$c" "$root/specs/"; fi
  start=$(date +%s%N)
  "$xtask" regen --root "$root" > "$root/regen.out" 2>&1; rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  check="-"
  if [ $rc -eq 0 ] && [ -d "$root/crates" ]; then
    check=""
    for crate in "$root"/crates/*; do
      cp -r "$crate" "$out/ws/crates/"
      cname=$(basename "$crate")
      cstart=$(date +%s%N)
      if (cd "$out/ws" && cargo check -q -p "$cname" > "$root/check-$cname.out" 2>&1); then
        check="$check $cname:ok"
      else
        check="$check $cname:FAIL($(grep -c '^error' "$root/check-$cname.out") errors)"
      fi
      check="$check $(( ($(date +%s%N) - cstart) / 1000000 ))ms"
    done
  fi
  printf '%-20s regen=%s %5sms  check:%s\n' "$name" "$rc" "$ms" "$check"
done
