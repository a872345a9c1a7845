#!/usr/bin/env bash
# Builds the bundle the GPU check runs on the GPU machine (which has no JDK and no network):
#   gpu-bundle/jdk.tgz         a jlink'ed JDK 25 runtime (unpacks to jdk/)
#   gpu-bundle/rlhf4j-gpu.jar  engine + PTX + JCuda driver binding (linux-x86_64 only) + the
#                              engine's test classes + JUnit console launcher + JMH GPU benchmarks
# at the repository root (git-ignored). Usage, from anywhere: bash bench/build-gpu-bundle.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
if ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
    echo "build-gpu-bundle: JAVA_HOME=$JAVA_HOME is not a JDK 25" >&2
    exit 2
fi
./mvnw -q -pl kernels,engine,bench package -DskipTests -Pgpu-bundle

OUT="$ROOT/gpu-bundle"
rm -rf "$OUT"
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# java.xml: the JUnit console launcher writes its XML reports with it; jdk.zipfs: it scans
# packages inside the jar through the "jar" file system (without it no test class is found).
"$JAVA_HOME/bin/jlink" \
    --add-modules java.base,java.logging,java.management,jdk.unsupported,jdk.incubator.vector,java.naming,java.sql,jdk.management,java.xml,jdk.zipfs \
    --strip-debug --no-man-pages --no-header-files --compress=zip-9 --output "$TMP/jdk"
tar czf "$OUT/jdk.tgz" -C "$TMP" jdk
cp bench/target/rlhf4j-gpu.jar "$OUT/rlhf4j-gpu.jar"

total=$(du -cb "$OUT"/* | tail -1 | cut -f1)
ls -l "$OUT"
echo "gpu-bundle: $(( total / 1024 / 1024 )) MiB in all ($total bytes); jdk unpacked: $(du -sb "$TMP/jdk" | cut -f1) bytes"
if (( total > 60 * 1024 * 1024 )); then
    echo "gpu-bundle: over 60 MiB, too close to the 64 MiB a device run may carry" >&2
    exit 1
fi
