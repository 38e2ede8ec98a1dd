#!/bin/sh
# The build steps of the Docker images, written once: apps/api/Dockerfile and apps/web/Dockerfile run them
# inside `docker build` (scripts/docker-check.sh checks that they run nothing else).
#
# Usage (each step runs in the current folder unless said otherwise):
#   docker-steps.sh prune <package> <out>    in the repository root: `turbo prune --docker` into <out>
#                                            (<out>/json: manifests + pruned lockfile; <out>/full: sources)
#   docker-steps.sh install                  in a folder holding <out>/json: frozen-lockfile install
#   docker-steps.sh build <package>          in that folder, after <out>/full is copied over: turbo build
#   docker-steps.sh assemble-api <dest>      production-only bundle of @chat/api into <dest>
#   docker-steps.sh assemble-web <dest>      Next.js standalone bundle of @chat/web into <dest>
#
# POSIX sh (the node:*-slim images have dash, not bash).
set -eu

step="${1:-}"
[ $# -gt 0 ] && shift

turbo_cmd() {
  # In the image's prune stage turbo is installed globally; in a workspace it is the root devDependency.
  if command -v turbo >/dev/null 2>&1; then turbo "$@"; else pnpm exec turbo "$@"; fi
}

case "$step" in
  prune)
    package="$1"
    out="$2"
    turbo_cmd prune "$package" --docker --out-dir "$out"
    # turbo prune copies the workspace's packages and root manifests only; every tsconfig extends this one.
    cp tsconfig.base.json "$out/full/tsconfig.base.json"
    ;;

  install)
    # Exactly the lockfile's versions; build scripts only for the packages allowed in pnpm-workspace.yaml.
    pnpm install --frozen-lockfile
    ;;

  build)
    pnpm turbo run build --filter="$1"
    ;;

  assemble-api)
    dest="$1"
    # `pnpm deploy --prod`: the package with its production dependencies only, workspace packages (@chat/shared,
    # with its dist) copied in rather than linked, so <dest> stands alone.
    pnpm deploy --filter=@chat/api --prod "$dest"
    # Keep what runs: the build output, the SQL migrations (found at <package root>/drizzle by
    # src/storage/sql/sql-database.ts, used when DATABASE_URL selects PGlite or PostgreSQL), the manifest
    # (`"type": "module"`) and node_modules. Sources, tests and tool configs stay out of the image.
    for entry in "$dest"/* "$dest"/.[!.]*; do
      [ -e "$entry" ] || continue
      case "$(basename "$entry")" in
        dist | drizzle | node_modules | package.json) ;;
        *) rm -rf "$entry" ;;
      esac
    done
    for required in dist/main.js drizzle/meta/_journal.json node_modules/@chat/shared/dist/index.js; do
      [ -e "$dest/$required" ] || { echo "assemble-api: $required is missing from $dest" >&2; exit 1; }
    done
    ;;

  assemble-web)
    dest="$1"
    web=apps/web
    # `output: 'standalone'` (apps/web/next.config.ts) traces the server's production dependencies into
    # .next/standalone, laid out from the workspace root: the server is apps/web/server.js in there.
    [ -f "$web/.next/standalone/$web/server.js" ] || {
      echo "assemble-web: $web/.next/standalone/$web/server.js is missing (is output: 'standalone' set?)" >&2
      exit 1
    }
    mkdir -p "$dest"
    cp -R "$web/.next/standalone/." "$dest/"
    # The standalone server does not copy static assets (Next.js "output: standalone" docs): they go beside it.
    mkdir -p "$dest/$web/.next"
    cp -R "$web/.next/static" "$dest/$web/.next/static"
    if [ -d "$web/public" ]; then cp -R "$web/public" "$dest/$web/public"; fi
    ;;

  *)
    echo "usage: docker-steps.sh prune|install|build|assemble-api|assemble-web ..." >&2
    exit 2
    ;;
esac
