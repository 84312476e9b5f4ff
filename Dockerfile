# modgate on Node 20 (see README, "Run with Docker").
#
#   docker build -t modgate .
#   docker run -d --name modgate -p 127.0.0.1:8080:8080 --stop-timeout 15 \
#     -v /etc/modgate:/etc/modgate:ro \            # the directory, so edits are seen (README)
#     -v modgate-store:/var/lib/modgate modgate    # the module proxy's store (proxy.cacheDir)
#
# test/e2e/dockerfile.e2e.test.ts runs this file's build and start steps without a Docker
# engine: it understands FROM, WORKDIR, ENV, COPY, RUN, USER, EXPOSE, HEALTHCHECK, STOPSIGNAL,
# CMD, LABEL and VOLUME, and fails on anything else, so keep to those. It records useradd,
# groupadd and `install -d` (each in a RUN of its own) instead of running them.

# --- build: compile TypeScript, then drop the dev dependencies -----------------------------
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the build needs only tsc, not the dev tools' binaries (workerd, esbuild).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime: the compiled service, its production dependencies, a non-root user -----------
FROM node:20-bookworm-slim
LABEL org.opencontainers.image.title="modgate" \
      org.opencontainers.image.description="go get for Go modules hosted on GitLab"
RUN groupadd --system modgate && useradd --system --gid modgate --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin modgate
# The module proxy's store (proxy.cacheDir): the one place modgate writes. Owned by the service
# user, so a fresh named volume, which Docker fills from this directory, is writable by it.
RUN install -d -o modgate -g modgate -m 0750 /var/lib/modgate
WORKDIR /app
ENV NODE_ENV=production \
    MODGATE_CONFIG=/etc/modgate/modgate.yaml \
    PORT=8080
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The example config (config/modgate.yaml with the store in the volume); mount yours over it
# (read-only) at the same path.
COPY deploy/docker/modgate.yaml /etc/modgate/modgate.yaml
# Versions once served are kept here: a volume outlives the container, so an upgrade or restart
# neither rebuilds every zip from GitLab nor forgets what a tag pointed at when it was served.
VOLUME /var/lib/modgate
USER modgate
EXPOSE 8080
# No curl in the slim image: node asks /-/healthz itself.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/-/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]
# modgate drains in-flight requests on SIGTERM (up to 10 s) and reloads its config on SIGHUP.
STOPSIGNAL SIGTERM
CMD ["node", "dist/node/cli.js", "serve"]
