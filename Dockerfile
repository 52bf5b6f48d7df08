# golive for production: web and worker processes from one image (GOLIVE_ROLES picks the role).
# No Temporal CLI in here: production golive connects to a Temporal cluster or Temporal Cloud
# (TEMPORAL_ADDRESS); the embedded dev server is for `npm start` on a workstation only.

# 1. Dependencies, production only. better-sqlite3 (the embedded default database) brings a
#    native module: this stage has the compilers in case no prebuilt binary fits.
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. The runtime: Node 20 slim, the app's sources (tsx runs TypeScript; the worker bundles its
#    workflows at start), a non-root user, and a data folder it owns.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    GOLIVE_HOST=0.0.0.0 \
    GOLIVE_PORT=8400 \
    GOLIVE_DATA_DIR=/data \
    GOLIVE_SANDBOX=false
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY runbooks ./runbooks
COPY ui ./ui
RUN mkdir -p /data /users && chown node:node /data /users
USER node
EXPOSE 8400
# Liveness; orchestrators should route traffic by /readyz (Temporal and the database answer).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.GOLIVE_PORT+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1's only child here via exec: SIGTERM from `docker stop` reaches golive, which
# drains (GOLIVE_SHUTDOWN_GRACE_SECONDS) before the runtime's own kill timeout.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
