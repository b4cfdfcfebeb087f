# Build a static binary, then ship it alone on a minimal base as a
# non-root user.
#
# The base images are named by tag. Pin them by digest for reproducible
# builds (docker buildx imagetools inspect golang:1.26 prints the digest):
#   FROM golang:1.26@sha256:<digest> AS build
FROM golang:1.26 AS build
# VERSION names the build (trackbot version, trackbot_build_info). .git is
# not sent to the builder (.dockerignore), so pass it:
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) .
ARG VERSION=
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/trackbot ./cmd/trackbot \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/trackbot /usr/local/bin/trackbot
# The embedded SQLite database (the default sqlite:trackbot.db, relative to
# the working directory) lives in /data, a volume, so that it outlives the
# container; a named volume takes the directory's owner. DATABASE_URL is not
# set here, so that DATABASE_URL_FILE can be used instead.
COPY --from=build --chown=nonroot:nonroot /out/data /data
VOLUME /data
USER nonroot:nonroot
WORKDIR /data
EXPOSE 8080
# The image has no shell, so the check runs the binary (exec form).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/trackbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/trackbot"]
