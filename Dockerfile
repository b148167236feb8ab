# syntax=docker/dockerfile:1
# The AppSpec image: the KRM function for kustomize (`docker run -i IMAGE`, run as
# --user nobody --network none) and the Argo CD CMP sidecar (user 999).

ARG RUST_VERSION=1.95.0
ARG KUSTOMIZE_VERSION=5.5.0

# Every stage runs on the platform it builds for (linux/amd64 or linux/arm64, from
# `docker buildx build --platform`), so each builds natively: a static musl binary of
# TARGETARCH (x86_64-unknown-linux-musl or aarch64-unknown-linux-musl).
FROM rust:${RUST_VERSION}-bookworm AS build
ARG TARGETARCH
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Debian replaces package versions with security updates; the base image tag pins them.
# hadolint ignore=DL3008
RUN case "${TARGETARCH}" in \
      amd64) echo x86_64-unknown-linux-musl ;; \
      arm64) echo aarch64-unknown-linux-musl ;; \
      *) echo "unsupported TARGETARCH ${TARGETARCH}" >&2; exit 1 ;; \
    esac > /rust-target \
    && rustup target add "$(cat /rust-target)" \
    && apt-get update \
    && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# The dist profile (Cargo.toml): fat LTO and one codegen unit, a smaller and faster binary.
RUN cargo build --profile dist --locked --target "$(cat /rust-target)" \
    && cp "target/$(cat /rust-target)/dist/appspec" /appspec

# kustomize, so `appspec render` can build overlays inside the Argo CD sidecar.
FROM debian:bookworm-slim AS kustomize
ARG KUSTOMIZE_VERSION
ARG TARGETARCH
# From the release's checksums.txt (kustomize_v5.5.0_linux_<arch>.tar.gz); update with the version.
ARG KUSTOMIZE_SHA256_amd64=6703a3a70a0c47cf0b37694030b54f1175a9dfeb17b3818b623ed58b9dbc2a77
ARG KUSTOMIZE_SHA256_arm64=b4170d1acb8cfacace9f72884bef957ff56efdcd4813b66e7604aabc8b57e93d
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN case "${TARGETARCH}" in \
      amd64) sum="${KUSTOMIZE_SHA256_amd64}" ;; \
      arm64) sum="${KUSTOMIZE_SHA256_arm64}" ;; \
      *) echo "unsupported TARGETARCH ${TARGETARCH}" >&2; exit 1 ;; \
    esac \
    && apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && curl -fsSLo /tmp/kustomize.tar.gz "https://github.com/kubernetes-sigs/kustomize/releases/download/kustomize%2Fv${KUSTOMIZE_VERSION}/kustomize_v${KUSTOMIZE_VERSION}_linux_${TARGETARCH}.tar.gz" \
    && echo "${sum}  /tmp/kustomize.tar.gz" | sha256sum -c - \
    && tar -xzf /tmp/kustomize.tar.gz -C /usr/local/bin kustomize

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /appspec /usr/local/bin/appspec
COPY --from=kustomize /usr/local/bin/kustomize /usr/local/bin/kustomize
# Argo CD runs the sidecar as 999; kustomize runs functions as nobody. Both work: the
# binary needs no home, no writable root filesystem and no network.
USER 65532:65532
ENV APPSPEC_KUSTOMIZE=/usr/local/bin/kustomize
ENTRYPOINT ["/usr/local/bin/appspec"]
