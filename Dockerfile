# syntax=docker/dockerfile:1
# The AppSpec image: the KRM function for kustomize (`docker run -i IMAGE`, run as
# --user nobody --network none) and the Argo CD CMP sidecar (user 999).

ARG RUST_VERSION=1.95.0
ARG KUSTOMIZE_VERSION=5.5.0

FROM rust:${RUST_VERSION}-bookworm AS build
# Debian replaces package versions with security updates; the base image tag pins them.
# hadolint ignore=DL3008
RUN rustup target add x86_64-unknown-linux-musl \
    && apt-get update \
    && apt-get install -y --no-install-recommends musl-tools \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
# The dist profile (Cargo.toml): fat LTO and one codegen unit, a smaller and faster binary.
RUN cargo build --profile dist --locked --target x86_64-unknown-linux-musl \
    && cp target/x86_64-unknown-linux-musl/dist/appspec /appspec

# kustomize, so `appspec render` can build overlays inside the Argo CD sidecar.
FROM debian:bookworm-slim AS kustomize
ARG KUSTOMIZE_VERSION
# From the release's checksums.txt (kustomize_v5.5.0_linux_amd64.tar.gz); update with the version.
ARG KUSTOMIZE_SHA256=6703a3a70a0c47cf0b37694030b54f1175a9dfeb17b3818b623ed58b9dbc2a77
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && curl -fsSLo /tmp/kustomize.tar.gz "https://github.com/kubernetes-sigs/kustomize/releases/download/kustomize%2Fv${KUSTOMIZE_VERSION}/kustomize_v${KUSTOMIZE_VERSION}_linux_amd64.tar.gz" \
    && echo "${KUSTOMIZE_SHA256}  /tmp/kustomize.tar.gz" | sha256sum -c - \
    && tar -xzf /tmp/kustomize.tar.gz -C /usr/local/bin kustomize

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /appspec /usr/local/bin/appspec
COPY --from=kustomize /usr/local/bin/kustomize /usr/local/bin/kustomize
# Argo CD runs the sidecar as 999; kustomize runs functions as nobody. Both work: the
# binary needs no home, no writable root filesystem and no network.
USER 65532:65532
ENV APPSPEC_KUSTOMIZE=/usr/local/bin/kustomize
ENTRYPOINT ["/usr/local/bin/appspec"]
