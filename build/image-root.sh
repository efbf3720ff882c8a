#!/usr/bin/env bash
# The root filesystem under the service's container image, made from this build machine itself: a
# Java runtime cut down with jlink, and the shared libraries that it and ONNX Runtime load (found
# with ldd), the dynamic loader included. The image has no base image, so the build pulls nothing
# from a container registry; Jib adds the application's layers on top of this directory.
#
#   build/image-root.sh OUT_DIR CLI_JAR
set -euo pipefail
out=$1
cli_jar=$2
modules=java.base,java.compiler,java.desktop,java.instrument,java.naming,java.net.http,java.rmi,\
java.security.jgss,java.sql,jdk.crypto.ec,jdk.incubator.vector,jdk.management,jdk.net,\
jdk.unsupported,jdk.zipfs

java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

rm -rf "$out"
mkdir -p "$out/opt" "$out/etc" "$out/tmp" "$out/data"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$out/opt/java"

# ONNX Runtime unpacks its native libraries at run time; their own dependencies must be in the image.
(cd "$work" && "$java_home/bin/jar" xf "$cli_jar" ai/onnxruntime/native/linux-x64)

find "$out/opt/java" "$work" -type f \( -name '*.so' -o -path '*/bin/java' \) -print0 |
  xargs -0 ldd 2>/dev/null |
  awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
  sort -u |
  while read -r lib; do
    case "$lib" in "$out"/* | "$work"/*) continue ;; esac
    mkdir -p "$out$(dirname "$lib")"
    cp -L "$lib" "$out$lib"
  done

# A user without privileges to run as, and nothing else of a distribution.
printf 'root:x:0:0::/:/sbin/nologin\nsemblance:x:65532:65532::/data:/sbin/nologin\n' >"$out/etc/passwd"
printf 'root:x:0:\nsemblance:x:65532:\n' >"$out/etc/group"
echo "image root: $(du -sh "$out" | cut -f1) in $out"
