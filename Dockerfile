# Build stage: compile TypeScript with the dev dependencies.
# Node 24 "Krypton" is the current LTS (Node 20 reached end of life in April 2026); pinned, bump deliberately.
FROM node:24.14.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: production dependencies only, non-root, git for the revert worker,
# tini as PID 1 so signals reach the bot and exited children (git, the embedded PostgreSQL's) are reaped.
FROM node:24.14.1-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends git openssh-client ca-certificates tini \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    ROLLBACK_DATA_DIR=/data \
    ROLLBACK_CONFIG=/config/rollback.config.yaml
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json rollback.config.example.yaml LICENSE ./
COPY bin ./bin
COPY manifests ./manifests
COPY docs ./docs
# /data (the embedded PostgreSQL, git working clones) belongs to "node" (uid 1000, gid 1000), the user the bot runs as.
# A bind mount or volume created outside the image must be writable by uid 1000: chown 1000:1000 it on the host.
RUN mkdir -p /data /config && chown node:node /data /config && chmod 0700 /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# /readyz: fails when the bot's database is unreachable (and /healthz's own checks: a dead embedded server).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "bin/rollback-bot.js"]
CMD ["start"]
