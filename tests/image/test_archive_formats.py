"""Reading ``docker save`` archives of every layout the engines write, made here byte by byte:
20.10's classic layout, the OCI layout of Docker 25 and later (``index.json``,
``blobs/sha256/…``), gzip and zstd compressed layers, multi-platform indexes with attestation
manifests; and the clear errors for what cannot be read (never a report of zeros)."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

import pytest
import zstandard

from dlint.image.archive import FILE, WHITEOUT, ArchiveError, read_export
from dlint.image.layer_cache import LayerCache


def _tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Layout:
    """An OCI image layout as ``docker save`` of Docker 25+ writes it."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}
        self.index: list[dict] = []
        self.manifest_json: list[dict] = []

    def blob(self, data: bytes) -> str:
        digest = _digest(data)
        self.blobs[digest] = data
        return digest

    def image(self, layers: list[bytes], compress: str = "gzip", platform: dict | None = None,
              attestation_of: str | None = None, history: list | None = None) -> tuple[dict, list[str]]:
        stored, descriptors = [], []
        for tar in layers:
            if compress == "gzip":
                data, media = gzip.compress(tar, mtime=0), "application/vnd.oci.image.layer.v1.tar+gzip"
            elif compress == "zstd":
                data, media = zstandard.ZstdCompressor().compress(tar), "application/vnd.oci.image.layer.v1.tar+zstd"
            else:
                data, media = tar, "application/vnd.oci.image.layer.v1.tar"
            stored.append(data)
            descriptors.append({"mediaType": media, "digest": self.blob(data), "size": len(data)})
        diff_ids = [_digest(t) for t in layers]
        config = json.dumps({"architecture": (platform or {}).get("architecture", "amd64"), "os": "linux",
                             "rootfs": {"type": "layers", "diff_ids": diff_ids},
                             "history": history or [{"created_by": f"step {n}"} for n in range(len(layers))]}).encode()
        manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": self.blob(config), "size": len(config)},
                               "layers": descriptors}, indent=4).encode()
        descriptor = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": self.blob(manifest),
                      "size": len(manifest)}
        if platform:
            descriptor["platform"] = platform
        if attestation_of:
            descriptor["annotations"] = {"vnd.docker.reference.type": "attestation-manifest",
                                         "vnd.docker.reference.digest": attestation_of}
        return descriptor, diff_ids

    def archive(self, with_manifest_json: bool = True, nested: bool = False) -> io.BytesIO:
        out = io.BytesIO()
        with tarfile.open(fileobj=out, mode="w") as tar:
            def add(name: str, data: bytes) -> None:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))

            index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": self.index}
            if nested:  # docker save of a multi-platform image: index.json -> an index -> manifests
                inner = json.dumps(index).encode()
                index = {"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json",
                                                            "digest": self.blob(inner), "size": len(inner)}]}
            for digest, data in self.blobs.items():
                add("blobs/sha256/" + digest.split(":")[1], data)
            add("index.json", json.dumps(index).encode())
            if with_manifest_json:
                add("manifest.json", json.dumps(self.manifest_json).encode())
            add("oci-layout", b'{"imageLayoutVersion": "1.0.0"}')
        out.seek(0)
        return out


LOWER = _tar({"etc/os-release": b"x" * 100, "var/lib/apt/lists/big": b"L" * 5000})
UPPER = _tar({"var/lib/apt/lists/.wh.big": b"", "app/run": b"r" * 42})


def test_gzip_layers_of_the_containerd_store():
    layout = Layout()
    descriptor, diff_ids = layout.image([LOWER, UPPER])
    layout.index.append(descriptor)
    archive = read_export(layout.archive())
    assert [layer.entries for layer in archive.layers] == [
        [("/etc/os-release", 100, FILE), ("/var/lib/apt/lists/big", 5000, FILE)],
        [("/var/lib/apt/lists/big", 0, WHITEOUT), ("/app/run", 42, FILE)],
    ]
    assert [layer.size for layer in archive.layers] == [5100, 42]
    stored = [len(gzip.compress(t, mtime=0)) for t in (LOWER, UPPER)]
    assert [layer.compressed for layer in archive.layers] == stored
    assert archive.diff_ids == diff_ids  # from the config: the cache's keys


def test_zstd_and_plain_layers():
    layout = Layout()
    descriptor, _ = layout.image([LOWER], compress="zstd")
    layout.index.append(descriptor)
    [layer] = read_export(layout.archive(with_manifest_json=False)).layers
    assert layer.size == 5100 and layer.compressed == len(zstandard.ZstdCompressor().compress(LOWER))
    layout = Layout()
    descriptor, _ = layout.image([LOWER], compress=None)
    layout.index.append(descriptor)
    [layer] = read_export(layout.archive()).layers
    assert layer.size == 5100 and layer.compressed is None  # stored plain: no compressed size


def test_multi_platform_index_skips_attestations_and_picks_the_built_image():
    layout = Layout()
    amd64, amd64_ids = layout.image([LOWER], platform={"os": "linux", "architecture": "amd64"})
    arm64, arm64_ids = layout.image([UPPER], platform={"os": "linux", "architecture": "arm64"})
    proof, _ = layout.image([_tar({"intoto.json": b"{}"})], compress=None,
                            platform={"os": "unknown", "architecture": "unknown"}, attestation_of=amd64["digest"])
    layout.index += [proof, amd64, arm64]
    for nested in (False, True):
        # The engine's RootFS.Layers name the image that was built.
        assert read_export(layout.archive(False, nested), diff_ids=arm64_ids).layers[0].size == 42
        assert read_export(layout.archive(False, nested), diff_ids=amd64_ids).layers[0].size == 5100
        # Without them: --platform, else the first image (never the attestation).
        assert read_export(layout.archive(False, nested), platform="linux/arm64").layers[0].size == 42
        assert read_export(layout.archive(False, nested)).layers[0].size == 5100
    with pytest.raises(ArchiveError, match="no image for platform linux/s390x"):
        read_export(layout.archive(False), platform="linux/s390x")


def test_classic_layout_of_docker_20():
    out = io.BytesIO()
    config = json.dumps({"rootfs": {"diff_ids": [_digest(LOWER)]}, "history": [{}]}).encode()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in (("abc/layer.tar", LOWER), ("abc/VERSION", b"1.0"), ("cfg.json", config),
                           ("manifest.json", json.dumps([{"Config": "cfg.json", "Layers": ["abc/layer.tar"]}]).encode())):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out.seek(0)
    [layer] = read_export(out).layers
    assert layer.size == 5100 and layer.compressed is None


@pytest.mark.parametrize("damage, message", [
    ("garbage", "neither a tar nor a gzip or zstd compressed tar"),
    ("truncated-gzip", "layer"),
    ("missing", "lacks layer 1"),
    ("no-manifest", "neither a manifest.json nor an OCI index.json"),
])
def test_unreadable_exports_are_errors_not_zeros(damage, message):
    layout = Layout()
    descriptor, _ = layout.image([LOWER])
    layout.index.append(descriptor)
    layer_digest = next(d for d, data in layout.blobs.items() if data[:2] == b"\x1f\x8b")
    if damage == "garbage":
        layout.blobs[layer_digest] = b"\x00\x01not a tar at all" * 64
    elif damage == "truncated-gzip":
        layout.blobs[layer_digest] = layout.blobs[layer_digest][:60]
    elif damage == "missing":
        del layout.blobs[layer_digest]
    elif damage == "no-manifest":
        layout.index.clear()
    with pytest.raises(ArchiveError, match=message):
        read_export(layout.archive(with_manifest_json=False))


def test_layer_cache_learns_compressed_blobs(tmp_path):
    """The first read learns which diff id a compressed blob holds; the next one skips it."""
    cache = LayerCache(str(tmp_path))
    layout = Layout()
    descriptor, diff_ids = layout.image([LOWER, UPPER])
    layout.index.append(descriptor)
    first = read_export(layout.archive(), "sha256:" + "1" * 64, diff_ids, cache)
    assert (first.layers_read, first.layers_cached) == (2, 0)
    second = read_export(layout.archive(), "sha256:" + "1" * 64, diff_ids, cache)
    assert (second.layers_read, second.layers_cached) == (0, 2)
    assert [layer.entries for layer in second.layers] == [layer.entries for layer in first.layers]
    assert [layer.compressed for layer in second.layers] == [layer.compressed for layer in first.layers]
