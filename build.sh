#!/usr/bin/env bash
# The one entry point for developers and CI.
#   ./build.sh          build everything (warnings are errors)
#   ./build.sh test     install what the tests need, build, check generated code, run every test,
#                       and end with the line "N passed, N failed[, N skipped]"
#   ./build.sh generate regenerate src/Samsa.Protocol/Generated from ../shared/kafka-protocol
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
SHARED=${SAMSA_SHARED:-$ROOT/../shared}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

install_test_deps() {
  # librdkafka's mock cluster (P/Invoke from the fixtures) and kcat are the third-party peers.
  local missing=()
  [ -e /usr/lib/x86_64-linux-gnu/librdkafka.so.1 ] || ldconfig -p 2>/dev/null | grep -q 'librdkafka.so.1 ' || missing+=(librdkafka1)
  command -v kcat >/dev/null 2>&1 || missing+=(kcat)
  dpkg -s librdkafka-dev >/dev/null 2>&1 || missing+=(librdkafka-dev)
  # zstd codec (P/Invoke) and the lz4/zstd CLIs the codec tests cross-check against.
  ldconfig -p 2>/dev/null | grep -q 'libzstd.so.1 ' || [ -e /usr/lib/x86_64-linux-gnu/libzstd.so.1 ] || missing+=(libzstd1)
  command -v lz4 >/dev/null 2>&1 || missing+=(lz4)
  command -v zstd >/dev/null 2>&1 || missing+=(zstd)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "installing ${missing[*]}" >&2
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
        || { echo "error: could not install ${missing[*]}" >&2; return 1; }
    else
      echo "error: tests need ${missing[*]} (Debian: apt-get install -y ${missing[*]})" >&2; return 1
    fi
  fi
}

build() { dotnet build Samsa.slnx -c Release -nologo -v q -clp:ErrorsOnly; }

generate() {
  [ -d "$SHARED/kafka-protocol/messages" ] || { echo "error: $SHARED/kafka-protocol not found" >&2; return 1; }
  dotnet run --project tools/Samsa.Protocol.Generator -c Release -- \
    "$SHARED/kafka-protocol" "$ROOT/src/Samsa.Protocol/Generated" \
    "$ROOT/tests/Samsa.Protocol.Tests/Generated/MessageSamples.g.cs"
}

check_generated() {
  if [ ! -d "$SHARED/kafka-protocol/messages" ]; then
    echo "note: $SHARED/kafka-protocol not present; skipping the generated-code drift check" >&2; return 0
  fi
  generate >/dev/null || return 1
  local paths=(src/Samsa.Protocol/Generated tests/Samsa.Protocol.Tests/Generated)
  if ! git diff --quiet --exit-code -- "${paths[@]}" || [ -n "$(git status --porcelain -- "${paths[@]}")" ]; then
    echo "error: generated code differs from the generator's output; run ./build.sh generate and commit" >&2
    git status --short -- "${paths[@]}" | head -20 >&2
    return 1
  fi
}

run_tests() {
  local out="$ROOT/artifacts/test-results"
  rm -rf "$out"; mkdir -p "$out"
  # One project at a time: integration tests start brokers and kcat processes, and the machine
  # has two cores. Each project writes its own .trx, which is what the closing line counts.
  local rc=0 proj
  for proj in tests/*/*.csproj; do
    case "$proj" in *Samsa.Testing*) continue ;; esac
    local name; name=$(basename "$proj" .csproj)
    echo "== $name" >&2
    dotnet test "$proj" -c Release --no-build -nologo -v q \
      --logger "trx;LogFileName=$name.trx" --results-directory "$out" \
      --blame-hang-timeout 5m || rc=$?
  done
  local passed=0 failed=0 skipped=0 files=0
  for f in "$out"/*.trx; do
    [ -f "$f" ] || continue
    files=$((files+1))
    local counters; counters=$(grep -o '<Counters [^>]*>' "$f" | head -1)
    local p f2 t e
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f2=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed+${p:-0})); failed=$((failed+${f2:-0})); skipped=$((skipped+${t:-0}-${e:-0}))
  done
  if [ $rc -ne 0 ] && [ $failed -eq 0 ]; then failed=1; echo "error: dotnet test exited $rc (crash, hang or timeout)" >&2; fi
  if [ $files -eq 0 ]; then echo "error: no test results were written" >&2; failed=$((failed+1)); fi
  if [ $skipped -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"; else echo "$passed passed, $failed failed"; fi
  [ $failed -eq 0 ]
}

case "${1:-build}" in
  build) build ;;
  generate) generate ;;
  test)
    install_test_deps || { echo "0 passed, 1 failed"; exit 1; }
    build || { echo "error: build failed" >&2; echo "0 passed, 1 failed"; exit 1; }
    check_generated || { echo "0 passed, 1 failed"; exit 1; }
    run_tests ;;
  *) echo "usage: ./build.sh [build|test|generate]" >&2; exit 2 ;;
esac
