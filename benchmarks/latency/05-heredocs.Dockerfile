# syntax=docker/dockerfile:1.7
FROM ubuntu:24.04

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends nginx=1.24.0-2ubuntu7 ca-certificates=20240203
rm -rf /var/lib/apt/lists/*
EOF

COPY <<-'CONF' /etc/nginx/conf.d/default.conf
	server {
	    listen 8080;
	    root /srv/www;
	}
CONF

RUN <<SCRIPT bash
set -euo pipefail
mkdir -p /srv/www
echo '<h1>hello</h1>' > /srv/www/index.html
chown -R www-data:www-data /srv/www
SCRIPT
USER www-data
EXPOSE 8080
CMD ["nginx", "-g", "daemon off;"]
