// Images for the tests: a locally made base image, the project's Dockerfiles built with buildah, run
// with podman.
export { ensureBaseImage, pinnedNodeVersion } from './base-image.js';
export { buildImage } from './build-image.js';
export { buildah, inspectImage, podman, RUNTIME_FLAGS, type ImageInfo } from './containers.js';
export { manifestDigest, pushImage, startRegistry, type Registry, type RegistryOptions } from './registry.js';
