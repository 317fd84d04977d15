#!/usr/bin/env bash
# Producer side by side over acks x compression: Samsa's `perf produce` vs Confluent.Kafka 2.15.1's
# bench, each run against a fresh librdkafka mock broker (1 broker, 1 partition), runs interleaved.
#   bench/peers/produce-matrix.sh "dotnet src/Samsa.Cli/bin/Release/net10.0/samsa.dll" [N=1000000] [REPS=3] [MODES]
# MODES defaults to "1:none all:none 1:lz4 all:lz4" (acks:compression). Uses the tools that
# shared/bench-peers/compare.sh builds into $WORK (run compare.sh once first with the same WORK).
# Both clients send the same 4096 distinct 100-byte values in turn (pool.txt), so lz4 sees the
# same data. Prints a Markdown table of medians, and the ratios Samsa/Confluent.
set -euo pipefail
SAMSA=${1:?usage: produce-matrix.sh SAMSA_COMMAND [N] [REPS] [MODES]}; N=${2:-1000000}; REPS=${3:-3}
MODES=${4:-"1:none all:none 1:lz4 all:lz4"}
W=${WORK:-/tmp/samsa-peers}
for f in mockcluster libck_shim.so ck/ConfluentBench.dll pool.txt; do
  [ -e "$W/$f" ] || { echo "missing $W/$f: run shared/bench-peers/compare.sh with WORK=$W first" >&2; exit 2; }
done
CK="dotnet $W/ck/ConfluentBench.dll"; R="$W/matrix.jsonl"; : > "$R"

start_mock() { rm -f "$W/mc.in"; mkfifo "$W/mc.in"; "$W/mockcluster" "$@" < "$W/mc.in" > "$W/mc.out" 2>&1 & MP=$!; exec 9>"$W/mc.in"
  for _ in $(seq 50); do grep -q BOOTSTRAP "$W/mc.out" && break; sleep 0.1; done; BS=$(awk '/BOOTSTRAP/{print $2}' "$W/mc.out"); }
stop_mock() { exec 9>&-; kill $MP 2>/dev/null || true; wait $MP 2>/dev/null || true; }
rec() { python3 -c "import json,sys
d=json.loads(sys.stdin.read().strip().splitlines()[-1]); w,m=sys.argv[1],sys.argv[2]
if w=='samsa': r,c,a=d['records_per_sec'],d['cpu_seconds']/d['records']*1e6,d.get('alloc_bytes_per_record')
else: r,c,a=d['msgs_per_s'],d['cpu_s']/d['msgs']*1e6,d['managed_alloc_bytes']/max(1,d['msgs'])
print(json.dumps({'who':w,'mode':m,'rate':r,'cpu':c,'alloc':a}))" "$1" "$2" | tee -a "$R" >&2; }

i=0
for rep in $(seq "$REPS"); do
  for mode in $MODES; do
    acks=${mode%%:*}; comp=${mode##*:}; i=$((i+1))
    start_mock 1 "s$i:1:1"; $SAMSA perf produce -b "$BS" -t "s$i" --records "$N" --record-size 100 --payload-file "$W/pool.txt" -X acks=$acks -X compression.type=$comp -X linger.ms=5 --json | rec samsa "$mode"; stop_mock
    start_mock 1 "c$i:1:1"; $CK produce --bs "$BS" --topic "c$i" --n "$N" --acks "$acks" --compression "$comp" --linger 5 --pool "$W/pool.txt" --shim "$W/libck_shim.so" | rec confluent "$mode"; stop_mock
  done
done
python3 - "$R" "$MODES" <<'PY'
import json,statistics as st,sys
rows=[json.loads(l) for l in open(sys.argv[1])]
print("| acks:compression | client | records/s (median) | CPU s per 1M | managed B/record | runs (records/s) |\n|---|---|---|---|---|---|")
ratios=[]
for m in sys.argv[2].split():
  med={}
  for w in ("samsa","confluent"):
    rs=[r for r in rows if r["who"]==w and r["mode"]==m]
    if not rs: continue
    med[w]={k:st.median([r[k] for r in rs]) for k in ("rate","cpu","alloc")}
    runs=", ".join(f"{r['rate']/1000:.0f}k" for r in rs)
    print(f"| {m} | {w} | {med[w]['rate']:,.0f} | {med[w]['cpu']:.2f} | {med[w]['alloc']:.0f} | {runs} |")
  if len(med)==2: ratios.append(f"{m}: rate {med['samsa']['rate']/med['confluent']['rate']:.2f}x, CPU/record {med['samsa']['cpu']/med['confluent']['cpu']:.2f}x")
print("\nSamsa / Confluent.Kafka: " + "; ".join(ratios))
PY
