# The storage-manager image: `docker build -t storage-manager .` (README, "Running in Docker").
# Two stages on the official Node 24 image: the first installs every dependency, compiles the TypeScript and drops
# the dev dependencies; the second holds only dist/, the production node_modules and package.json, and runs as the
# image's unprivileged user `node` (uid 1000).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: nothing here needs an install script. better-sqlite3 loads the prebuilt binary shipped inside
# its package (npm's default `node-gyp rebuild` for it would only compile it again, and fails in a slim image
# without Python and a compiler); @parcel/watcher's binary comes as an optional dependency; the other scripts
# belong to dev tools that the build does not use.
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error

FROM node:24-bookworm-slim
# Container defaults; every other SM_* variable keeps the default of the table in the README. Without
# SM_DOCKER_HOST the manager runs standalone (every subdirectory of /volumes is a volume); docker-compose.yml
# points it at a read-only socket proxy.
ENV NODE_ENV=production \
    SM_API_HOST=0.0.0.0 \
    SM_API_PORT=9100 \
    SM_DB_PATH=/data/storage_manager.db \
    SM_VOLUMES_DIR=/volumes
# glibc's mmap threshold, fixed: left adaptive, it rises after the first large buffer is freed, and later ones (a
# file index's columns, an order's sort buffers) come from a heap that does not give memory back (README, B2).
ENV MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
# Code and dependencies stay owned by root: the service cannot change them.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# /data (database, reserve file) belongs to the user the service runs as; a new named volume copies that owner.
# `storage-manager …` runs the command-line program.
RUN mkdir -p /data /volumes \
 && chown node:node /data \
 && printf '#!/bin/sh\nexec node /app/dist/cli/main.js "$@"\n' > /usr/local/bin/storage-manager \
 && chmod 755 /usr/local/bin/storage-manager
USER node
VOLUME ["/data"]
EXPOSE 9100
# The service drains HTTP, finishes running cleanups and closes the database on SIGTERM, then exits with 0.
STOPSIGNAL SIGTERM
# 200 while the service is ok or degraded, 503 when it is not (e.g. the database is down). The token is sent so
# that the check also works with SM_PROTECT_READS=true.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "const t=process.env.SM_API_TOKEN;fetch(`http://127.0.0.1:${process.env.SM_API_PORT||9100}/api/health`,{headers:t?{authorization:`Bearer ${t}`}:{},signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/main.js"]
