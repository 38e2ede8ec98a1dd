#!/usr/bin/env bash
# Checks the Docker setup on a machine without a Docker engine (CI): everything but `docker build` itself.
#
#   1. lockstep: both Dockerfiles pin the pnpm of package.json's "packageManager" and the turbo of the lockfile,
#      and run their build through scripts/docker-steps.sh (the same script this check runs below);
#   2. docker-compose.yaml: `docker-compose config` (Debian's docker-compose 1.29: interpolation, references
#      between services and volumes) with .env.example, which must fail without JWT_SECRET; plus a lint against
#      the current compose-spec JSON schema (dclint); both are shown to reject a broken copy of the file;
#   3. the images' build steps, outside Docker, in temp folders: `turbo prune --docker`, frozen-lockfile install
#      of the pruned workspace, build, production bundle (pnpm deploy --prod / Next.js standalone);
#   4. the bundles run: the API (PGlite in memory, NODE_ENV=production) answers GET /api/health and refuses the
#      sample secret of .env.example; the web server answers GET / and serves its static assets.
#
# Differences from a real image build, by necessity: this machine's Node.js (the images use Node.js 24) and its
# pnpm store; the files are the working tree's, filtered by .gitignore (turbo prune), which .dockerignore mirrors.
#
# Usage: scripts/docker-check.sh        (KEEP_TMP=1 keeps the temp folder for inspection)
# Needs: Node.js, pnpm, the npm registry (dclint, first run), and docker-compose (installed with apt-get when
# missing and running as root).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
steps="$root/scripts/docker-steps.sh"
export CI="${CI:-true}" TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

DCLINT_VERSION=3.1.0
passed=0
failed=0
pids=()
tmp="$(mktemp -d -t docker-check.XXXXXX)"

cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_TMP:-}" = 1 ]; then echo "temp folder kept: $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

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
  if docker-compose --env-file .env.example -f docker-compose.yaml config -q; then
    ok "docker-compose config accepts the file with .env.example"
  else
    fail "docker-compose config rejects the file"
  fi
  if env -u JWT_SECRET docker-compose --env-file /dev/null -f docker-compose.yaml config -q 2>/dev/null; then
    fail "docker-compose config accepts a missing JWT_SECRET"
  else
    ok "docker-compose config refuses to run without JWT_SECRET"
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
else
  fail "docker-compose is not installed (apt-get install docker-compose) and could not be installed here"
fi

dclint=(pnpm dlx "dclint@${DCLINT_VERSION}")
if "${dclint[@]}" docker-compose.yaml; then
  ok "dclint ${DCLINT_VERSION}: the file matches the compose-spec schema (warnings above are advice)"
else
  fail "dclint ${DCLINT_VERSION} reports errors"
fi
sed 's/^    healthcheck:$/    healthchek:/' docker-compose.yaml >"$tmp/broken-compose.yaml"
if "${dclint[@]}" "$tmp/broken-compose.yaml" >/dev/null 2>&1; then
  fail "dclint accepted an unknown service key"
else
  ok "dclint rejects an unknown service key"
fi

# ---- 3. the images' build steps, outside Docker --------------------------------------------------------------
# Mirrors each Dockerfile: prune stage (repository root) -> build stage (/repo) -> bundle (/prod/<app>).
build_app() {
  local app="$1"
  local out="$tmp/$app/out" repo="$tmp/$app/repo" prod="$tmp/$app/prod"
  mkdir -p "$repo"
  "$steps" prune "@chat/$app" "$out"
  cp -R "$out/json/." "$repo/"
  (cd "$repo" && "$steps" install)
  cp -R "$out/full/." "$repo/"
  (cd "$repo" && "$steps" build "@chat/$app" && "$steps" assemble-"$app" "$prod")
}

for app in api web; do
  section "build steps of apps/$app/Dockerfile"
  started=$(date +%s)
  if build_app "$app" >"$tmp/build-$app.log" 2>&1; then
    ok "@chat/$app: prune, frozen install, build and bundle ($(($(date +%s) - started)) s)"
  else
    tail -n 40 "$tmp/build-$app.log"
    fail "@chat/$app: the image's build steps failed (log above)"
  fi
done

# ---- 4. run the bundles --------------------------------------------------------------------------------------
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# Polls a URL until it answers with a status below 400 (redirects not followed); prints the status and body.
wait_for() {
  node - "$1" "$2" <<'EOF'
const [url, seconds] = process.argv.slice(2);
const deadline = Date.now() + Number(seconds) * 1000;
(async () => {
  for (;;) {
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 400) {
        console.log(`${res.status} ${(await res.text()).slice(0, 300).replace(/\s+/g, ' ')}`);
        return;
      }
    } catch {}
    if (Date.now() > deadline) { console.error(`no answer below 400 from ${url} within ${seconds} s`); process.exit(1); }
    await new Promise((r) => setTimeout(r, 500));
  }
})();
EOF
}

section "run the API bundle"
api_port=$(free_port)
if [ -f "$tmp/api/prod/dist/main.js" ]; then
  # The sample secret of .env.example must stop a production start.
  sample="$(sed -n 's/^JWT_SECRET=//p' .env.example)"
  set +e
  (cd "$tmp/api/prod" && NODE_ENV=production DATABASE_URL=pglite://memory HOST=127.0.0.1 PORT="$api_port" \
    JWT_SECRET="$sample" timeout 60 node dist/main.js) >"$tmp/api-sample.log" 2>&1
  code=$?
  set -e
  if [ "$code" -ne 0 ] && [ "$code" -ne 124 ] && grep -q 'JWT_SECRET' "$tmp/api-sample.log"; then
    ok "the API refuses the sample JWT_SECRET of .env.example in production (exit $code)"
  else
    cat "$tmp/api-sample.log"
    fail "the API did not refuse the sample JWT_SECRET (exit $code)"
  fi

  secret="$(node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))")"
  (cd "$tmp/api/prod" && exec env NODE_ENV=production DATABASE_URL=pglite://memory HOST=127.0.0.1 PORT="$api_port" \
    JWT_SECRET="$secret" WEB_ORIGIN=http://127.0.0.1:3000 LOG_LEVEL=warn node dist/main.js) >"$tmp/api.log" 2>&1 &
  pids+=($!)
  if health="$(wait_for "http://127.0.0.1:$api_port/api/health" 90)" && [[ "$health" == 200* ]] \
    && [[ "$health" == *'"status":"ok"'* ]]; then
    ok "API bundle: GET /api/health -> $health"
  else
    tail -n 30 "$tmp/api.log"
    fail "API bundle: /api/health did not answer ok"
  fi
else
  fail "no API bundle to run (build failed)"
fi

section "run the web bundle"
if [ -f "$tmp/web/prod/apps/web/server.js" ]; then
  web_port=$(free_port)
  (cd "$tmp/web/prod" && exec env NODE_ENV=production HOSTNAME=127.0.0.1 PORT="$web_port" \
    API_PUBLIC_URL="http://127.0.0.1:$api_port" node apps/web/server.js) >"$tmp/web.log" 2>&1 &
  pids+=($!)
  if home="$(wait_for "http://127.0.0.1:$web_port/" 60)"; then
    ok "web bundle: GET / -> ${home:0:3}"
    # A page's HTML references its static chunks: one must be served (the bundle step copies them).
    login="$(wait_for "http://127.0.0.1:$web_port/login" 10 || true)"
    asset="$(node -e "
      fetch('http://127.0.0.1:$web_port/login').then(r => r.text()).then(html => {
        const m = html.match(/\/_next\/static\/[^\"'\s]+\.(?:js|css)/);
        console.log(m ? m[0] : '');
      }).catch(() => console.log(''));")"
    if [[ "$login" == 200* ]] && [ -n "$asset" ] && wait_for "http://127.0.0.1:$web_port$asset" 10 >/dev/null; then
      ok "web bundle: /login renders and its static asset $asset is served"
    else
      tail -n 20 "$tmp/web.log"
      fail "web bundle: /login or its static assets are not served (login: ${login:0:3}, asset: ${asset:-none})"
    fi
  else
    tail -n 30 "$tmp/web.log"
    fail "web bundle: GET / did not answer"
  fi
else
  fail "no web bundle to run (build failed)"
fi

section "result"
echo "docker-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
