# Tidewatch in a container: `docker build -t tidewatch .` then
#   docker run -p 8080:8080 tidewatch                    # the demo map on http://localhost:8080/
#   docker run -e DATABASE_URL=postgres://… tidewatch    # on a shared PostGIS (docker-compose.yml)
# Two stages: the build needs Rust, cmake and a C++ compiler (the bundled PROJ, with proj.db
# inside the binary); the image that runs holds only the binary, its data and the shared
# libraries it links (SQLite, libstdc++), and runs as a user without privileges.

# ---- build --------------------------------------------------------------------------
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends cmake g++ pkg-config libsqlite3-dev sqlite3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p tidewatch \
 && cp target/release/tidewatch /usr/local/bin/tidewatch

# ---- run ----------------------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-0 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /srv/tidewatch --shell /usr/sbin/nologin tidewatch
COPY --from=build /usr/local/bin/tidewatch /usr/local/bin/tidewatch
WORKDIR /srv/tidewatch
# Layer definitions, styles and the demo data set (the map works with no database).
COPY layers layers
COPY styles styles
COPY data/demo data/demo
RUN mkdir -p data/imported && chown tidewatch data/imported
USER tidewatch
ENV TIDEWATCH_LISTEN=0.0.0.0:8080 \
    TIDEWATCH_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["tidewatch"]
# With no database: the embedded demo data and the SYNTHETIC demo traffic.
CMD ["serve", "--demo-traffic"]
