#!/usr/bin/env bash
# A poor man's wall-clock profiler: runs one benchmark command, takes a thread dump every 250 ms with jcmd while
# it runs, and prints where Taskhub's threads are (state + top frame + first Taskhub frame), most frequent first.
# Waiting shows up too (socket reads, lock waits, sleeps), which CPU samplers miss.
#   benchmarks/profile.sh hello --provider postgres --n 3000
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=$(mktemp -d)
java -jar benchmarks/target/taskhub-benchmarks.jar "$@" > "$OUT/run.log" 2>&1 &
PID=$!
sleep "${PROFILE_DELAY:-4}"
n=0
while kill -0 "$PID" 2>/dev/null && [ "$n" -lt "${PROFILE_SAMPLES:-120}" ]; do
  jcmd "$PID" Thread.print >> "$OUT/dumps.txt" 2>/dev/null || true
  n=$((n + 1))
  sleep 0.25
done
wait "$PID" || true
grep -E '^<<' "$OUT/run.log" || tail -5 "$OUT/run.log"
echo "== $n thread dumps; samples per (thread group | state | top frame | first dev.taskhub frame)"
awk '
  /^"/ { flush(); name=$0; sub(/^"/, "", name); sub(/".*/, "", name); grp=name; gsub(/-[0-9]+$/, "", grp);
         keep = (grp ~ /^(taskhub|bench|pool|flowable|HikariPool)/); state=""; top=""; th=""; next }
  /java.lang.Thread.State:/ { state=$2; next }
  /^\tat / { f=$2; sub(/\(.*/, "", f); if (top=="") top=f; if (th=="" && f ~ /^dev\.taskhub\./ && f !~ /benchmarks/) th=f; next }
  function flush() { if (keep && top != "") count[grp " | " state " | " top " | " th]++; keep=0 }
  END { flush(); for (k in count) printf "%6d  %s\n", count[k], k }
' "$OUT/dumps.txt" | sort -rn | head -"${PROFILE_TOP:-40}"
echo "(run log and dumps in $OUT)"
