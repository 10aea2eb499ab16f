"""The engine test environment itself works: engine, base images, builds."""

import io

import pytest

from tests.engine_env import (  # noqa: F401  (fixtures are used by name)
    busybox_image,
    count_containers,
    debian_image,
    docker_client,
)

pytestmark = pytest.mark.engine


def build(client, dockerfile: str):
    """Build like dlint's builder does (SDK, classic builder, host network).

    Returns (image_id, stream_text); fails the test with the log on error.
    """
    image_id, lines = None, []
    for chunk in client.api.build(
        fileobj=io.BytesIO(dockerfile.encode()),
        network_mode="host", rm=True, forcerm=True, nocache=True, decode=True,
    ):
        if "error" in chunk:
            pytest.fail(f"build failed: {chunk['error']}\n{''.join(lines)}")
        lines.append(chunk.get("stream", ""))
        image_id = chunk.get("aux", {}).get("ID", image_id)
    assert image_id, "".join(lines)
    return image_id, "".join(lines)


def test_engine_answers(docker_client):
    assert docker_client.ping() is True
    # The SDK negotiated an API version the engine speaks (Debian's is 1.41).
    def v(s):
        return tuple(int(p) for p in s.split("."))

    assert v(docker_client.api.api_version) <= v(docker_client.version()["ApiVersion"])


def test_busybox_build_makes_a_3_byte_layer(docker_client, busybox_image):
    before = count_containers(docker_client)
    image_id, log = build(docker_client, f"FROM {busybox_image}\nRUN echo hi > /x\n")
    try:
        # The SDK drives the classic builder ("Step N/M"), not BuildKit.
        assert "Step 2/2 : RUN echo hi > /x" in log
        top = docker_client.api.history(image_id)[0]
        assert "echo hi > /x" in top["CreatedBy"]
        assert top["Size"] == 3  # "hi\n"
        # rm/forcerm: the intermediate container is gone.
        assert count_containers(docker_client) == before
    finally:
        docker_client.images.remove(image_id)


def test_debian_image_has_working_apt(docker_client, debian_image):
    image_id, _ = build(
        docker_client,
        f"FROM {debian_image}\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates"
        " && rm -rf /var/lib/apt/lists/*\n",
    )
    try:
        top = docker_client.api.history(image_id)[0]
        assert top["Size"] > 100_000  # certificates and openssl really landed
        # docker-clean, as in the official image: no .deb or apt .bin caches in the layer.
        out = docker_client.containers.run(
            image_id,
            ["sh", "-c", "ls /etc/ssl/certs | wc -l; find /var/cache/apt -name '*.deb' -o -name '*.bin'"],
            network_mode="none", remove=True,
        ).decode().split()
        assert int(out[0]) > 100
        assert out[1:] == []
    finally:
        docker_client.images.remove(image_id)
