#!/usr/bin/env bash
# Static checks of the Docker setup, quick and without a Docker engine (scripts/docker-e2e.sh builds and runs the
# images for real):
#
#   1. lockstep: both Dockerfiles pin the pnpm of package.json's "packageManager" and the turbo of the lockfile,
#      use Node.js 24, run their build through scripts/docker-steps.sh, run as `node`, have a HEALTHCHECK and
#      bake no secret-like variable;
#   2. docker-compose.yaml: `docker-compose config` (Debian's docker-compose 1.29: interpolation, references
#      between services and volumes) with .env.example plus a JWT_SECRET, which must fail with .env.example alone
#      (its JWT_SECRET is empty on purpose); plus a lint against the current compose-spec JSON schema (dclint);
#      both are shown to reject a broken copy of the file; the same two checks for docker-compose.scale.yaml.
#
# Usage: scripts/docker-check.sh
# Needs: Node.js, pnpm, the npm registry (dclint, first run), and docker-compose (installed with apt-get when
# missing and running as root).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export CI="${CI:-true}" TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

DCLINT_VERSION=3.1.0
passed=0
failed=0
tmp="$(mktemp -d -t docker-check.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

section() { printf '\n---- docker-check: %s\n' "$*"; }
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }

# ---- 1. lockstep ---------------------------------------------------------------------------------------------
section "Dockerfiles in lockstep with the workspace"
pnpm_version="$(node -p "require('./package.json').packageManager.replace(/^pnpm@/, '')")"
turbo_version="$(node -p "require('./node_modules/turbo/package.json').version")"
for dockerfile in apps/api/Dockerfile apps/web/Dockerfile; do
  grep -q "^ARG PNPM_VERSION=${pnpm_version}\$" "$dockerfile" \
    && ok "$dockerfile pins pnpm ${pnpm_version}" || fail "$dockerfile does not pin pnpm ${pnpm_version} (packageManager)"
  grep -q "^ARG TURBO_VERSION=${turbo_version}\$" "$dockerfile" \
    && ok "$dockerfile pins turbo ${turbo_version}" || fail "$dockerfile does not pin turbo ${turbo_version} (installed)"
  grep -q '^ARG NODE_IMAGE=node:24-' "$dockerfile" \
    && ok "$dockerfile uses Node.js 24" || fail "$dockerfile does not use a node:24 image"
  # Every RUN in the build stages goes through docker-steps; only tool installs and runtime setup may not.
  stray="$(grep -E '^RUN ' "$dockerfile" | grep -vE '^RUN (docker-steps |npm install --global|mkdir -p )' || true)"
  [ -z "$stray" ] && ok "$dockerfile builds only through docker-steps" || fail "$dockerfile runs its own build commands: $stray"
  grep -q '^USER node$' "$dockerfile" && ok "$dockerfile runs as the non-root user" || fail "$dockerfile has no USER node"
  grep -q '^HEALTHCHECK ' "$dockerfile" && ok "$dockerfile has a HEALTHCHECK" || fail "$dockerfile has no HEALTHCHECK"
  if grep -nEi '^(ENV|ARG) .*(SECRET|PASSWORD|TOKEN)' "$dockerfile"; then
    fail "$dockerfile bakes a secret-like variable into the image"
  else
    ok "$dockerfile bakes no secret"
  fi
done

# ---- 2. docker-compose.yaml ------------------------------------------------------------------------------------
section "docker-compose.yaml"
if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's docker-compose (the validator; no Docker engine is installed or needed)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
  fi
fi
if command -v docker-compose >/dev/null 2>&1; then
  echo "validator: $(docker-compose --version)"
  # .env.example leaves JWT_SECRET empty: compose must stop with the file's message until one is set.
  if refusal="$(env -u JWT_SECRET docker-compose --env-file .env.example -f docker-compose.yaml config -q 2>&1)"; then
    fail "docker-compose config accepts .env.example as is (empty JWT_SECRET)"
  elif [[ "$refusal" == *"JWT_SECRET is not set"* ]]; then
    ok "docker-compose config stops on .env.example's empty JWT_SECRET: ${refusal##*: }"
  else
    fail "docker-compose config fails on .env.example for another reason: $refusal"
  fi
  export JWT_SECRET=check-only-secret-0123456789abcdef0123456789
  if docker-compose --env-file .env.example -f docker-compose.yaml config -q; then
    ok "docker-compose config accepts the file with .env.example and a JWT_SECRET"
  else
    fail "docker-compose config rejects the file"
  fi
  services="$(docker-compose --env-file .env.example -f docker-compose.yaml config --services | sort | tr '\n' ' ')"
  [ "$services" = "api mongo web " ] && ok "services: $services" || fail "unexpected services: $services"
  # The validator is live: a dangling reference must be refused.
  sed 's/^      mongo:$/      mongo-typo:/' docker-compose.yaml >"$tmp/broken-compose.yaml"
  if docker-compose --env-file .env.example -f "$tmp/broken-compose.yaml" config -q 2>/dev/null; then
    fail "docker-compose config accepted a depends_on naming no service"
  else
    ok "docker-compose config rejects a depends_on naming no service"
  fi
  # The scaled variant (API replicas behind nginx, PostgreSQL, Redis: docs/scaling.md).
  if docker-compose --env-file .env.example -f docker-compose.scale.yaml config -q; then
    ok "docker-compose config accepts docker-compose.scale.yaml"
  else
    fail "docker-compose config rejects docker-compose.scale.yaml"
  fi
  services="$(docker-compose --env-file .env.example -f docker-compose.scale.yaml config --services | sort | tr '\n' ' ')"
  [ "$services" = "api-1 api-2 postgres proxy redis web " ] && ok "scale services: $services" || fail "unexpected scale services: $services"
  [ -f deploy/nginx/scale.conf ] && ok "the proxy's deploy/nginx/scale.conf exists" || fail "deploy/nginx/scale.conf is missing"
else
  fail "docker-compose is not installed (apt-get install docker-compose) and could not be installed here"
fi

dclint=(pnpm dlx "dclint@${DCLINT_VERSION}")
if "${dclint[@]}" docker-compose.yaml; then
  ok "dclint ${DCLINT_VERSION}: the file matches the compose-spec schema (warnings above are advice)"
else
  fail "dclint ${DCLINT_VERSION} reports errors"
fi
if "${dclint[@]}" docker-compose.scale.yaml; then
  ok "dclint ${DCLINT_VERSION}: docker-compose.scale.yaml matches the compose-spec schema"
else
  fail "dclint ${DCLINT_VERSION} reports errors in docker-compose.scale.yaml"
fi
sed 's/^    healthcheck:$/    healthchek:/' docker-compose.yaml >"$tmp/broken-compose.yaml"
if "${dclint[@]}" "$tmp/broken-compose.yaml" >/dev/null 2>&1; then
  fail "dclint accepted an unknown service key"
else
  ok "dclint rejects an unknown service key"
fi

section "result"
echo "docker-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
