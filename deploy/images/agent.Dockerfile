# syntax=docker/dockerfile:1
# lastgasp-agent. Build context: the repository root.
#   docker build -f deploy/images/agent.Dockerfile -t lastgasp-agent .
# The Node major here must match the root package.json "engines" (checked by a test).
# NODE_IMAGE: the base of both stages; `npm run release` passes it pinned by digest
# (node:24-bookworm-slim@sha256:…) and records the digest.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# Manifests first, so the dependency layer is reused while only sources change. npm ci needs every
# workspace's package.json.
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY proto/package.json proto/
COPY collector/package.json collector/
COPY agent/package.json agent/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund --ignore-scripts
# agent's tsconfig references proto (the wire contract: the canary line); its tests, compiled by
# tsconfig.test.json with the test bed, are not part of the image.
COPY proto/ proto/
COPY agent/ agent/
COPY scripts/runtime-deps.mjs scripts/
# Only the agent's own production dependencies go to /runtime (npm installs every workspace's).
RUN npx tsc -b agent \
 && node scripts/runtime-deps.mjs agent /runtime

FROM ${NODE_IMAGE}
# Version and revision come from the build (--build-arg VERSION=… --build-arg REVISION=…); a plain build says "dev".
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="lastgasp-agent" \
      org.opencontainers.image.description="Points each node kernel netconsole at the lastgasp collectors (configfs) and reports LastGaspReady on its Node." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
# iproute2: `ip route get` / `ip neigh` find each collector's egress device, source address and
# next-hop MAC. kmod: modprobe configfs and netconsole with the host's /lib/modules mounted.
RUN apt-get update \
 && apt-get install -y --no-install-recommends iproute2 kmod \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
# The revision, for lastgasp_build_info and the first log line.
ENV LASTGASP_REVISION="${REVISION}"
WORKDIR /app
# The runtime tree mirrors the repository's layout under /app, so workspace links in node_modules
# (node_modules/@lastgasp/proto -> ../../proto) resolve.
COPY --from=build /src/package.json ./
COPY --from=build /runtime/node_modules/ node_modules/
COPY --from=build /src/proto/package.json proto/
COPY --from=build /src/proto/dist/ proto/dist/
COPY --from=build /src/agent/package.json agent/
COPY --from=build /src/agent/bin/ agent/bin/
COPY --from=build /src/agent/dist/ agent/dist/
# Runs as root: configfs, module loading and /dev/kmsg need it (the chart grants privilege or an
# explicit capability list).
EXPOSE 6669/tcp
ENTRYPOINT ["node", "/app/agent/bin/lastgasp-agent.js"]
