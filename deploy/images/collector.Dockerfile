# syntax=docker/dockerfile:1
# lastgasp-collector (also carries the `lastgasp` CLI). Build context: the repository root.
#   docker build -f deploy/images/collector.Dockerfile -t lastgasp-collector .
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
# collector's tsconfig references proto (the API and the wire contract); its tests, compiled by
# tsconfig.test.json with the test bed, are not part of the image.
COPY proto/ proto/
COPY collector/ collector/
COPY scripts/runtime-deps.mjs scripts/
# Then @kubernetes/client-node is bundled down to what the collector uses (~20 MiB less memory), and
# only the collector's own production dependencies, without the bundled one, go to /runtime (npm
# installs every workspace's).
RUN npx tsc -b collector \
 && node collector/scripts/bundle-client-node.mjs \
 && node scripts/runtime-deps.mjs collector /runtime --without @kubernetes/client-node \
 && mkdir -p /runtime/collector/node_modules
# The batch UDP receiver (recvmmsg addon): a C compiler in the build stage only. The collector falls
# back to node:dgram when the addon is absent (udpReceiver: auto), so the image works either way.
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/* \
 && bash collector/native/build.sh --strict

FROM ${NODE_IMAGE}
# Version and revision come from the build (--build-arg VERSION=… --build-arg REVISION=…); a plain build says "dev".
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="lastgasp-collector" \
      org.opencontainers.image.description="Receives the kernel last words netconsole sends, explains and cleans up after nodes that died in a kernel panic; carries the lastgasp CLI." \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENV NODE_ENV=production
# The revision, for lastgasp_build_info and the first log line.
ENV LASTGASP_REVISION="${REVISION}"
# Smaller V8 young generation: ~20–40 MiB less resident memory; a capped old generation; no url.parse
# deprecation line in the JSON log (collector/src/runtime-flags.ts).
ENV NODE_OPTIONS="--max-semi-space-size=4 --max-old-space-size=256 --disable-warning=DEP0169"
WORKDIR /app
# The runtime tree mirrors the repository's layout under /app, so workspace links in node_modules
# (node_modules/@lastgasp/proto -> ../../proto) resolve.
COPY --from=build /src/package.json ./
COPY --from=build /runtime/node_modules/ node_modules/
# Packages npm could not hoist (two versions of one package) live under the workspace.
COPY --from=build /runtime/collector/node_modules/ collector/node_modules/
COPY --from=build /src/proto/package.json proto/
COPY --from=build /src/proto/dist/ proto/dist/
COPY --from=build /src/proto/lastgasp/ proto/lastgasp/
COPY --from=build /src/collector/package.json collector/
COPY --from=build /src/collector/bin/ collector/bin/
COPY --from=build /src/collector/dist/ collector/dist/
COPY --from=build /src/collector/rules/ collector/rules/
COPY --from=build /src/collector/native/recvmmsg.js collector/native/
COPY --from=build /src/collector/native/build/recvmmsg.node collector/native/build/
# `lastgasp` on the PATH: kubectl exec deploy/lastgasp-collector -- lastgasp status
RUN ln -s /app/collector/bin/lastgasp.js /usr/local/bin/lastgasp
# Any non-root uid works: the collector needs no file writes and binds ports above 1024.
USER 65532:65532
# netconsole (UDP), gRPC API + health, HTTP /metrics /livez /readyz
EXPOSE 6666/udp 6667/tcp 6668/tcp
ENTRYPOINT ["node", "/app/collector/bin/lastgasp-collector.js"]
CMD ["serve"]
