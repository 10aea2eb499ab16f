FROM fedora:40
LABEL org.opencontainers.image.title="toolbox" \
      org.opencontainers.image.licenses="MIT"
RUN dnf install -y --setopt=install_weak_deps=False \
        git \
        make \
        python3-pip \
    && dnf clean all
ARG USER_ID=1000
RUN useradd --uid "${USER_ID}" dev
USER dev
WORKDIR /home/dev
CMD ["/bin/bash"]
