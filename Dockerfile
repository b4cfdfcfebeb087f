# Build a static binary, then ship it alone on a minimal base as a
# non-root user.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/trackbot ./cmd/trackbot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/trackbot /usr/local/bin/trackbot
USER nonroot:nonroot
WORKDIR /home/nonroot
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/trackbot"]
