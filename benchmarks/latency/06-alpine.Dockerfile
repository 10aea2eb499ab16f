FROM alpine:3.20
RUN apk add --no-cache \
        bash \
        ca-certificates \
        curl \
        jq \
        openssh-client \
    && adduser -D -u 1000 runner
COPY --chmod=755 run.sh /usr/local/bin/run.sh
USER runner
WORKDIR /home/runner
ENTRYPOINT ["/usr/local/bin/run.sh"]
