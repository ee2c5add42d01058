#!/usr/bin/env bash
# Checks a Lambda bootstrap binary without running it (and without a container daemon):
#   check-bootstrap.sh BINARY [arm64|x86_64]
# - an ELF executable for the function's architecture (default arm64, as LAMBDA_ARCH);
# - dynamically linked only against what public.ecr.aws/lambda/provided:al2023 ships
#   (glibc, libgcc_s, libstdc++), with the Swift runtime linked in statically;
# - no glibc symbol version newer than the runtime image's glibc (MAX_GLIBC, default 2.34,
#   Amazon Linux 2023), so the binary starts there whatever image built it.
# The Dockerfile runs it on what it built; the test suite runs it on the local build.
set -euo pipefail

bin="${1:?usage: check-bootstrap.sh BINARY [arm64|x86_64]}"
arch="${2:-arm64}"
max_glibc="${MAX_GLIBC:-2.34}"
READELF="${READELF:-readelf}"

fail() {
  printf 'check-bootstrap: %s: %s\n' "${bin}" "$*" >&2
  exit 1
}

[[ -f "${bin}" && -x "${bin}" ]] || fail "not an executable file"
header="$("${READELF}" -h "${bin}" 2>/dev/null)" || fail "not an ELF file"
machine="$(sed -n 's/^ *Machine: *//p' <<<"${header}")"
case "${arch}" in
  arm64) [[ "${machine}" == *AArch64* ]] || fail "built for '${machine}', the function runs on arm64 (AArch64)" ;;
  x86_64) [[ "${machine}" == *X86-64* ]] || fail "built for '${machine}', the function runs on x86_64" ;;
  *) fail "architecture must be arm64 or x86_64 (got ${arch})" ;;
esac
[[ "$(sed -n 's/^ *Type: *//p' <<<"${header}")" == EXEC* || "$(sed -n 's/^ *Type: *//p' <<<"${header}")" == DYN* ]] ||
  fail "not an executable"

dynamic="$("${READELF}" -d "${bin}" 2>/dev/null || true)"
while read -r lib; do
  [[ -z "${lib}" ]] && continue
  case "${lib}" in
    libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libutil.so.* | libgcc_s.so.* | libstdc++.so.* | ld-linux-*) ;;
    libswift*) fail "links the Swift runtime dynamically (${lib}); build with --static-swift-stdlib" ;;
    *) fail "needs ${lib}, which the Lambda runtime image does not have" ;;
  esac
done < <(sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' <<<"${dynamic}")

newest="$("${READELF}" -V "${bin}" 2>/dev/null | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -t. -k1,1n -k2,2n -k3,3n -u | tail -1)"
if [[ -n "${newest}" ]]; then
  highest="$(printf '%s\n%s\n' "${newest}" "${max_glibc}" | sort -t. -k1,1n -k2,2n -k3,3n | tail -1)"
  [[ "${highest}" == "${max_glibc}" ]] ||
    fail "needs glibc ${newest}; the runtime image has ${max_glibc} (build on an image whose glibc is not newer)"
fi
printf 'check-bootstrap: %s: %s ELF, Swift runtime static, glibc <= %s (needs %s)\n' "${bin}" "${arch}" "${max_glibc}" "${newest:-none}"
