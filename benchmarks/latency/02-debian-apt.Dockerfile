FROM debian:bookworm-slim

ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8

RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends \
        ca-certificates \
        curl \
        gnupg \
        netbase \
        tzdata \
        wget \
    ; \
    rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 999 app \
    && useradd --system --uid 999 --gid app --home-dir /srv/app --create-home app

WORKDIR /srv/app
COPY --chown=app:app entrypoint.sh /usr/local/bin/
USER app
EXPOSE 8080
ENTRYPOINT ["entrypoint.sh"]
CMD ["serve"]
