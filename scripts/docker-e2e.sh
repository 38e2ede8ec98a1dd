#!/usr/bin/env bash
# Builds both Docker images with a real Docker engine and runs them, then drives them with a browser.
#
#   1. engine: uses the one `docker info` reaches; else (as root) installs Debian's docker.io when missing and
#      starts a private dockerd (overlay2, no iptables, no bridge: containers use the host's network), stopped at
#      the end;
#   2. base image: pulls node:24-bookworm-slim when the registry is reachable; else makes a local one from Debian
#      (debootstrap minbase + this machine's Node.js, npm and CA bundle), cached on disk and in the engine, and
#      hands it to the Dockerfiles through their NODE_IMAGE build argument (the Dockerfiles are built unchanged);
#   3. builds apps/api/Dockerfile and apps/web/Dockerfile (legacy builder: BuildKit fetches its Dockerfile frontend
#      from a registry);
#   4. checks the API image: runs as the non-root user, holds no dev dependency and no .env file;
#   5. API on PostgreSQL: a fresh database on the local server, the environment docker-compose.yaml gives the api
#      service; the web container with the compose environment; waits for both HEALTHCHECKs; browser smoke
#      (apps/web/e2e-docker: two people sign up, chat, an image crosses, a reload keeps the history);
#   6. API on its own defaults: `docker run -e JWT_SECRET=...` and a volume on /data (PGlite under /data) answers
#      /api/health 200; on that volume, the same browser smoke, then a container restart keeps the data;
#   7. removes every container, volume and database it made, and stops the dockerd it started, also on failure.
#
# Usage (root, or a user who may use a running engine): scripts/docker-e2e.sh
#   DOCKER_E2E_API_PORT / DOCKER_E2E_WEB_PORT  host ports of the containers (default 3240 / 3241: the containers
#                                              share the host's network, so the ports are the host's)
#   DOCKER_E2E_BASE_CACHE                      where the local base image is kept (default /var/cache/relay-docker-base)
#   DOCKER_E2E_NODE_IMAGE                      base image to use as is (skips the pull and the local build)
#   DOCKER_E2E_DATA_ROOT                       data root of a dockerd this script starts (default /var/lib/relay-docker,
#                                              kept between runs so unchanged build layers are reused)
#   PGHOST_URL                                 PostgreSQL server for the API (default postgres://postgres@127.0.0.1:5432)
# Needs: Node.js, pnpm and the workspace installed (for Playwright), /usr/bin/chromium, psql, and for the local
# base image debootstrap (installed with apt-get when missing) and a Debian mirror.
set -euo pipefail
shopt -s inherit_errexit

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

api_port="${DOCKER_E2E_API_PORT:-3240}"
web_port="${DOCKER_E2E_WEB_PORT:-3241}"
base_cache="${DOCKER_E2E_BASE_CACHE:-/var/cache/relay-docker-base}"
data_root="${DOCKER_E2E_DATA_ROOT:-/var/lib/relay-docker}"
pg_server="${PGHOST_URL:-postgres://postgres@127.0.0.1:5432}"
debian_mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
api_image=relay-e2e/api:latest
web_image=relay-e2e/web:latest
prefix=relay-e2e
volume="$prefix-data"
database="relay_docker_e2e_$$"
api_url="http://localhost:$api_port"
web_url="http://localhost:$web_port"
export DOCKER_BUILDKIT=0

started=$(date +%s)
passed=0
dockerd_pid=""
db_created=""
children=()
run_dir="/run/relay-docker"

section() { printf '\n---- docker-e2e: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }
ok() { passed=$((passed + 1)); echo "ok   $*"; }
die() {
  echo "FAIL $*" >&2
  exit 1
}
# Runs a long command as a child the shell can be interrupted from (a foreground command would hold off the
# INT/TERM trap until it ends); cleanup stops it.
long() {
  "$@" &
  children=($!)
  local code=0
  wait "${children[0]}" || code=$?
  children=()
  return "$code"
}

# ---- 7. cleanup (runs on every exit) -----------------------------------------------------------------------
cleanup() {
  local code=$?
  set +e
  section "cleanup"
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null; done
  if docker info >/dev/null 2>&1; then
    if [ "$code" -ne 0 ]; then
      for name in api web; do
        if docker container inspect "$prefix-$name" >/dev/null 2>&1; then
          echo "last log lines of $prefix-$name:"
          docker logs --tail 30 "$prefix-$name" 2>&1 | sed 's/^/  | /'
        fi
      done
    fi
    docker rm -f -v "$prefix-api" "$prefix-web" >/dev/null 2>&1
    docker volume rm -f "$volume" >/dev/null 2>&1
    # Untagged images over a day old: earlier builds' stages. Younger ones are the build cache of the next run
    # (the engine's data root is kept), so a re-run rebuilds only what changed.
    docker image prune -f --filter until=24h >/dev/null 2>&1
  fi
  if [ -n "$db_created" ]; then
    psql "$pg_server/postgres" -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null
  fi
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$dockerd_pid" 2>/dev/null; then kill -9 "$dockerd_pid" 2>/dev/null; fi
    echo "stopped the dockerd this script started (pid $dockerd_pid)"
  fi
  echo "docker-e2e: $passed passed, $([ "$code" -eq 0 ] && echo 0 || echo 1) failed, $(($(date +%s) - started)) s"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. engine ---------------------------------------------------------------------------------------------
section "Docker engine"
if ! docker info >/dev/null 2>&1; then
  export DOCKER_HOST="unix://$run_dir/docker.sock"
  # A dockerd that an interrupted earlier run of this script left behind: use it, and stop it at the end.
  if docker info >/dev/null 2>&1 && [ -f "$run_dir/docker.pid" ]; then
    dockerd_pid="$(cat "$run_dir/docker.pid")"
    echo "using the dockerd an earlier run left (pid $dockerd_pid)"
  fi
fi
if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "no Docker engine answers, and only root may start one"
  if ! command -v dockerd >/dev/null 2>&1; then
    echo "installing Debian's docker.io"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io >/dev/null
  fi
  mkdir -p "$run_dir" "$data_root"
  # A private socket, exec root and data root: no clash with a system dockerd. No iptables and no bridge: this
  # machine kind cannot set them up; containers use --network host.
  dockerd --storage-driver=overlay2 --iptables=false --bridge=none \
    --host "$DOCKER_HOST" --exec-root "$run_dir/exec" --pidfile "$run_dir/docker.pid" \
    --data-root "$data_root" >"$run_dir/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || {
    tail -n 20 "$run_dir/dockerd.log"
    die "dockerd did not start (log above)"
  }
  echo "started dockerd (pid $dockerd_pid, socket $DOCKER_HOST, data $data_root)"
fi
docker version --format 'engine {{.Server.Version}} (API {{.Server.APIVersion}}), storage driver '"$(docker info --format '{{.Driver}}')"
# What an interrupted earlier run may have left (one run at a time per engine: the names are fixed).
docker rm -f -v "$prefix-api" "$prefix-web" >/dev/null 2>&1 || true
docker volume rm -f "$volume" >/dev/null 2>&1 || true
for stale in $(psql "$pg_server/postgres" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'relay\_docker\_e2e\_%'"); do
  psql "$pg_server/postgres" -q -c "DROP DATABASE IF EXISTS $stale WITH (FORCE)" >/dev/null
done

# ---- 2. base image -----------------------------------------------------------------------------------------
# Makes local/relay-node:<key> from Debian bookworm (minbase) with this machine's node, npm and CA bundle, the
# `node` user (uid 1000) of the official images, and NODE_EXTRA_CA_CERTS so npm and fetch trust that bundle.
# The key follows every input, so a new Node.js or CA bundle makes a new image. Prints the image name.
local_base_image() {
  local node_bin npm_dir key tag rootfs tarball
  node_bin="$(readlink -f "$(command -v node)")"
  npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
  key="$(
    {
      echo bookworm-minbase-v2
      "$node_bin" --version
      node -p "require('$npm_dir/package.json').version"
      sha256sum </etc/ssl/certs/ca-certificates.crt
    } | sha256sum | cut -c1-16
  )"
  tag="local/relay-node:$key"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    echo "base image $tag is in the engine already" >&2
    echo "$tag"
    return
  fi
  tarball="$base_cache/rootfs-$key.tar"
  if [ ! -f "$tarball" ]; then
    [ "$(id -u)" = 0 ] || die "building the base image needs root (debootstrap)"
    if ! command -v debootstrap >/dev/null 2>&1; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
    fi
    mkdir -p "$base_cache"
    rootfs="$(mktemp -d "$base_cache/rootfs.XXXXXX")"
    echo "debootstrap --variant=minbase bookworm ($debian_mirror)" >&2
    long debootstrap --variant=minbase bookworm "$rootfs" "$debian_mirror" >"$base_cache/debootstrap.log" 2>&1 || {
      tail -n 20 "$base_cache/debootstrap.log" >&2
      rm -rf "$rootfs"
      die "debootstrap failed (log above)"
    }
    install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
    mkdir -p "$rootfs/usr/local/lib/node_modules"
    cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
    ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
    ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
    install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
    echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$rootfs/etc/passwd"
    echo 'node:x:1000:' >>"$rootfs/etc/group"
    echo 'node:!:20000::::::' >>"$rootfs/etc/shadow"
    install -d -o 1000 -g 1000 "$rootfs/home/node"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*
    tar -C "$rootfs" -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"
  fi
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
    --change 'CMD ["node"]' "$tarball" "$tag" >/dev/null
  echo "$tag"
}

section "base image"
node_image="${DOCKER_E2E_NODE_IMAGE:-}"
if [ -z "$node_image" ]; then
  official="$(sed -n 's/^ARG NODE_IMAGE=//p' apps/api/Dockerfile)"
  if docker image inspect "$official" >/dev/null 2>&1 || timeout 60 docker pull -q "$official" >/dev/null 2>&1; then
    node_image="$official"
  else
    echo "$official cannot be pulled here: using a local base image built from Debian"
    node_image="$(local_base_image)"
  fi
fi
echo "NODE_IMAGE=$node_image ($(docker run --rm --network host "$node_image" node --version))"
if [[ "$node_image" == local/* ]]; then
  docker run --rm --network host "$node_image" sh -c 'test -s "$NODE_EXTRA_CA_CERTS"' \
    || die "$node_image lacks the CA bundle that NODE_EXTRA_CA_CERTS names"
fi

# ---- 3. build ----------------------------------------------------------------------------------------------
# Both images at once: their steps alternate between the network (installs) and the CPU (compiles), so side by
# side they finish sooner than one after the other. Logs: /tmp/relay-e2e-build-<app>.log.
build_image() {
  local app="$1" from
  from=$(date +%s)
  docker build --network host --force-rm --build-arg "NODE_IMAGE=$node_image" \
    -f "apps/$app/Dockerfile" -t "$prefix/$app:latest" . >"/tmp/$prefix-build-$app.log" 2>&1 || return
  echo "$(($(date +%s) - from))" >"/tmp/$prefix-build-$app.seconds"
}
section "docker build -f apps/api/Dockerfile and -f apps/web/Dockerfile, side by side"
build_image api &
children=($!)
build_image web &
children+=($!)
for i in 0 1; do
  app=$([ "$i" = 0 ] && echo api || echo web)
  if wait "${children[$i]}"; then
    ok "built $prefix/$app:latest ($(cat "/tmp/$prefix-build-$app.seconds") s, $(docker image inspect -f '{{.Size}}' "$prefix/$app:latest" | awk '{printf "%.0f MB", $1/1e6}'))"
  else
    tail -n 40 "/tmp/$prefix-build-$app.log"
    die "docker build of apps/$app/Dockerfile failed (log above; full log /tmp/$prefix-build-$app.log)"
  fi
done
children=()

# ---- 4. what the API image holds ---------------------------------------------------------------------------
section "API image contents"
[ "$(docker image inspect -f '{{.Config.User}}' "$api_image")" = node ] && ok "API image: USER node" \
  || die "API image does not run as node"
[ "$(docker image inspect -f '{{.Config.User}}' "$web_image")" = node ] && ok "web image: USER node" \
  || die "web image does not run as node"
docker image inspect -f '{{json .Config.Volumes}}' "$api_image" | grep -q '"/data"' && ok "API image declares VOLUME /data" \
  || die "API image declares no VOLUME /data"
dev_deps="$(node -p "Object.keys(require('./apps/api/package.json').devDependencies ?? {}).join(' ')")"
# shellcheck disable=SC2086 # one argument per package name
present="$(docker run --rm --network host --entrypoint sh "$api_image" -c \
  'for p in "$@"; do [ -e "node_modules/$p" ] && echo "$p"; done; true' sh $dev_deps)"
[ -z "$present" ] && ok "API image: none of the $(echo "$dev_deps" | wc -w) devDependencies is installed" \
  || die "API image holds dev dependencies: $present"
env_files="$(docker run --rm --network host --entrypoint sh "$api_image" -c \
  "find / -xdev \\( -name .env -o -name '.env.*' \\) -not -name .env.example -not -path '/proc/*' 2>/dev/null; true")"
[ -z "$env_files" ] && ok "API image: no .env file" || die "API image holds .env files: $env_files"

# ---- 5. API on PostgreSQL + web, browser smoke ---------------------------------------------------------------
secret="$(node -e "console.log(require('node:crypto').randomBytes(48).toString('base64url'))")"

# Waits until the container's HEALTHCHECK reports healthy: the image's own check and start period, run every
# 2 s instead of 15 s (--health-interval) so the wait ends soon after the server is up.
wait_healthy() {
  local name="$1" status="" since
  since=$(date +%s)
  while [ $(($(date +%s) - since)) -lt 120 ]; do
    status="$(docker inspect -f '{{.State.Health.Status}}' "$name" 2>/dev/null || echo gone)"
    case "$status" in
      healthy)
        ok "$name is healthy ($(($(date +%s) - since)) s after start)"
        return
        ;;
      unhealthy | gone) break ;;
    esac
    [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || break
    sleep 1
  done
  die "$name did not become healthy (status: $status)"
}

# The API's process, as the kernel sees it: uid of PID 1 in the container.
check_api_user() {
  local uid
  uid="$(docker exec "$prefix-api" awk '/^Uid:/ { print $2 }' /proc/1/status)"
  [ "$uid" = 1000 ] && ok "the API process runs as uid 1000 (node)" || die "the API process runs as uid $uid"
}

smoke() {
  E2E_WEB_PORT="$web_port" E2E_API_PORT="$api_port" long pnpm --filter @chat/web exec playwright test \
    -c e2e-docker/playwright.config.ts && ok "browser smoke against the containers ($1)" \
    || die "browser smoke failed ($1)"
}

section "API container on PostgreSQL"
psql "$pg_server/postgres" -q -c "CREATE DATABASE $database" >/dev/null
db_created=1
# The api service's environment in docker-compose.yaml, with the PostgreSQL URL and this run's ports.
docker run -d --name "$prefix-api" --network host --health-interval 2s \
  -e NODE_ENV=production -e PORT="$api_port" -e DATABASE_URL="$pg_server/$database" -e JWT_SECRET="$secret" \
  -e WEB_ORIGIN="$web_url" -e COOKIE_SECURE=false -e LOG_LEVEL=warn -e TRUST_PROXY=false \
  -e UPLOAD_DIR=/data/uploads -v "$volume:/data/uploads" "$api_image" >/dev/null
wait_healthy "$prefix-api"
check_api_user
# The web service's environment in docker-compose.yaml (PORT: the host's network is shared).
docker run -d --name "$prefix-web" --network host --health-interval 2s \
  -e PORT="$web_port" -e API_PUBLIC_URL="$api_url" "$web_image" >/dev/null
wait_healthy "$prefix-web"
[ "$(docker exec "$prefix-web" awk '/^Uid:/ { print $2 }' /proc/1/status)" = 1000 ] \
  && ok "the web process runs as uid 1000 (node)" || die "the web process does not run as node"
smoke "PostgreSQL"
tables="$(psql "$pg_server/$database" -tAc "SELECT count(*) FROM messages")"
[ "$tables" -ge 3 ] && ok "PostgreSQL holds the smoke's $tables messages" || die "PostgreSQL holds $tables messages"
docker rm -f -v "$prefix-api" >/dev/null
docker volume rm -f "$volume" >/dev/null

# ---- 6. API on its image defaults (PGlite under /data) -----------------------------------------------------
section "API container on its defaults: JWT_SECRET only, a volume on /data"
# Exactly `docker run -e JWT_SECRET=... -v <volume>:/data <image>`, on a network of its own (loopback only), so
# the image's default port 3001 is its own: the HEALTHCHECK and the request below run inside the container.
docker run -d --name "$prefix-api" --network none --health-interval 2s \
  -e JWT_SECRET="$secret" -v "$volume:/data" "$api_image" >/dev/null
wait_healthy "$prefix-api"
health="$(docker exec "$prefix-api" node -e \
  "fetch('http://127.0.0.1:3001/api/health').then(async r => console.log(r.status, await r.text()))")"
[[ "$health" == "200 "* ]] && ok "defaults: GET /api/health -> $health" || die "defaults: /api/health -> $health"
check_api_user
docker rm -f -v "$prefix-api" >/dev/null

# The same volume, on the host's network for the browser: the port and the web origin are this run's.
docker run -d --name "$prefix-api" --network host --health-interval 2s \
  -e JWT_SECRET="$secret" -e PORT="$api_port" -e WEB_ORIGIN="$web_url" -v "$volume:/data" "$api_image" >/dev/null
wait_healthy "$prefix-api"
smoke "PGlite"
docker restart "$prefix-api" >/dev/null
wait_healthy "$prefix-api"
stored="$(docker exec "$prefix-api" sh -c 'ls /data/pglite | wc -l; find /data/uploads -type f | wc -l' | tr '\n' ' ')"
# shellcheck disable=SC2086 # two numbers
set -- $stored
[ "$1" -gt 0 ] && [ "$2" -gt 0 ] && ok "after a restart the volume still holds the database and $2 uploaded files" \
  || die "the volume lacks the database or the uploads ($stored)"

section "done"
