FROM buildpack-deps:bookworm

ENV PATH /usr/local/bin:$PATH
ENV LANG C.UTF-8

RUN set -eux; \
	apt-get update; \
	apt-get install -y --no-install-recommends \
		libbluetooth-dev \
		libbz2-dev \
		libdb-dev \
		libexpat1-dev \
		libffi-dev \
		libgdbm-dev \
		liblzma-dev \
		libncursesw5-dev \
		libreadline-dev \
		libsqlite3-dev \
		libssl-dev \
		tk-dev \
		uuid-dev \
		xz-utils \
		zlib1g-dev \
	; \
	rm -rf /var/lib/apt/lists/*

ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D
ENV APP_VERSION 3.12.4

RUN set -eux; \
	\
	wget -O app.tar.xz "https://example.org/ftp/app/${APP_VERSION%%[a-z]*}/App-$APP_VERSION.tar.xz"; \
	wget -O app.tar.xz.asc "https://example.org/ftp/app/${APP_VERSION%%[a-z]*}/App-$APP_VERSION.tar.xz.asc"; \
	GNUPGHOME="$(mktemp -d)"; export GNUPGHOME; \
	gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys "$GPG_KEY"; \
	gpg --batch --verify app.tar.xz.asc app.tar.xz; \
	gpgconf --kill all; \
	rm -rf "$GNUPGHOME" app.tar.xz.asc; \
	mkdir -p /usr/src/app; \
	tar --extract --directory /usr/src/app --strip-components=1 --file app.tar.xz; \
	rm app.tar.xz; \
	\
	cd /usr/src/app; \
	gnuArch="$(dpkg-architecture --query DEB_BUILD_GNU_TYPE)"; \
	./configure \
		--build="$gnuArch" \
		--enable-loadable-sqlite-extensions \
		--enable-optimizations \
		--enable-option-checking=fatal \
		--enable-shared \
		--with-lto \
		--with-ensurepip \
	; \
	nproc="$(nproc)"; \
	EXTRA_CFLAGS="$(dpkg-buildflags --get CFLAGS)"; \
	LDFLAGS="$(dpkg-buildflags --get LDFLAGS)"; \
	make -j "$nproc" \
		"EXTRA_CFLAGS=${EXTRA_CFLAGS:-}" \
		"LDFLAGS=${LDFLAGS:-}" \
	; \
	make install; \
	\
	cd /; \
	rm -rf /usr/src/app; \
	\
	find /usr/local -depth \
		\( \
			\( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
			-o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libapp*.a' \) \) \
		\) -exec rm -rf '{}' + \
	; \
	\
	ldconfig; \
	\
	app --version

# component 0
ARG COMPONENT_0_VERSION=1.0.0
RUN curl -fsSL "https://example.org/c0/${COMPONENT_0_VERSION}/c0.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c0

# component 1
ARG COMPONENT_1_VERSION=1.1.0
RUN curl -fsSL "https://example.org/c1/${COMPONENT_1_VERSION}/c1.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c1

# component 2
ARG COMPONENT_2_VERSION=1.2.0
RUN curl -fsSL "https://example.org/c2/${COMPONENT_2_VERSION}/c2.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c2

# component 3
ARG COMPONENT_3_VERSION=1.3.0
RUN curl -fsSL "https://example.org/c3/${COMPONENT_3_VERSION}/c3.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c3

# component 4
ARG COMPONENT_4_VERSION=1.4.0
RUN curl -fsSL "https://example.org/c4/${COMPONENT_4_VERSION}/c4.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c4

# component 5
ARG COMPONENT_5_VERSION=1.5.0
RUN curl -fsSL "https://example.org/c5/${COMPONENT_5_VERSION}/c5.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c5

# component 6
ARG COMPONENT_6_VERSION=1.6.0
RUN curl -fsSL "https://example.org/c6/${COMPONENT_6_VERSION}/c6.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c6

# component 7
ARG COMPONENT_7_VERSION=1.7.0
RUN curl -fsSL "https://example.org/c7/${COMPONENT_7_VERSION}/c7.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c7

# component 8
ARG COMPONENT_8_VERSION=1.8.0
RUN curl -fsSL "https://example.org/c8/${COMPONENT_8_VERSION}/c8.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c8

# component 9
ARG COMPONENT_9_VERSION=1.9.0
RUN curl -fsSL "https://example.org/c9/${COMPONENT_9_VERSION}/c9.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c9

# component 10
ARG COMPONENT_10_VERSION=1.10.0
RUN curl -fsSL "https://example.org/c10/${COMPONENT_10_VERSION}/c10.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c10

# component 11
ARG COMPONENT_11_VERSION=1.11.0
RUN curl -fsSL "https://example.org/c11/${COMPONENT_11_VERSION}/c11.tgz" | tar -xz -C /usr/local/bin \
    && chmod +x /usr/local/bin/c11

CMD ["app"]
