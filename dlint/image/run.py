"""Running the build: the classic builder through the Docker SDK, or BuildKit through a Docker
CLI that has it. Both end with an image id and one :class:`Step` per Dockerfile instruction the
builder reported, telling whether it came from the cache."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from dlint.image.errors import BuildCommandError, BuildFailed
from dlint.dockerfile import Dockerfile, Instruction, Stage

# Docker's classic builder ("Step 2/4 : RUN …", " ---> 1a2b…") and Podman's Docker API,
# which builds with Buildah ("STEP 2/4: RUN …", "--> Using cache <id>", "--> 1a2b…").
_STEP = re.compile(r"^(?:Step (\d+)/(\d+) :|STEP (\d+)/(\d+):) (.*)$")
_ARROW_ID = re.compile(r"^ ?---?> ([0-9a-f]{11,64})$")
_PODMAN_CACHED = re.compile(r"^--> Using cache [0-9a-f]{11,64}$")
_BK_VERTEX = re.compile(r"^#(\d+) \[(?:(\S+) )?(\d+)/(\d+)\] (.*)$")
_BK_STATUS = re.compile(r"^#(\d+) (CACHED|DONE [0-9.]+s|ERROR: .*)$")

CLI_ENV = "DLINT_DOCKER_CLI"


@dataclass
class Step:
    number: int  # 1-based, over every instruction the builder ran
    total: int
    text: str  # as the builder printed it
    instruction: Instruction | None
    cached: bool | None = None  # None: the builder did not say (e.g. a FROM)
    image_id: str | None = None  # legacy builder: the step's resulting image (`` ---> id``)
    output: list[str] = field(default_factory=list)  # the step's log lines
    seconds: float | None = None  # how long the step took (classic: between step markers)
    started: float | None = field(default=None, repr=False)  # monotonic clock at its marker


@dataclass
class BuildResult:
    image_id: str
    builder: str  # "legacy" or "buildkit"
    steps: list[Step]
    seconds: float
    no_cache: bool
    progress: str = ""  # how the build was read: "sdk" (classic), "plain" or "rawjson" (BuildKit)


@dataclass
class BuildOptions:
    context: str
    dockerfile: str  # path on the host
    tag: str | None = None
    target: str | None = None
    build_args: dict[str, str] = field(default_factory=dict)
    no_cache: bool = False
    network: str | None = "host"
    platform: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    pull: bool = False
    cache_from: list[str] = field(default_factory=list)
    # BuildKit only (the classic builder has no such thing):
    secrets: list[str] = field(default_factory=list)
    ssh: list[str] = field(default_factory=list)
    cache_to: list[str] = field(default_factory=list)


def built_instructions(dockerfile: Dockerfile, target: str | None) -> list[Instruction]:
    """The classic builder's steps, in order: ARGs before the first FROM count as steps too;
    stages after ``--target`` are not built."""
    stages = dockerfile.stages
    if target:
        stage = target_stage(dockerfile, target)
        stages = stages[: stage.index + 1]
    leading = [i for i in dockerfile.instructions if i.stage_index < 0]
    return leading + [i for s in stages for i in s.instructions]


def _same_text(instruction: Instruction, text: str) -> bool:
    keyword, _, rest = text.partition(" ")
    rest = " ".join(rest.split())
    return instruction.keyword == keyword.upper() and (
        " ".join(instruction.text.text.split()) == rest or " ".join(instruction.args.split()) == rest
    )


def target_stage(dockerfile: Dockerfile, target: str | None) -> Stage:
    if not dockerfile.stages:
        raise BuildCommandError(f"{dockerfile.path}: no FROM instruction; nothing to build")
    if not target:
        return dockerfile.stages[-1]
    for stage in dockerfile.stages:
        if stage.name and stage.name.lower() == target.lower():
            return stage
    names = ", ".join(s.name for s in dockerfile.stages if s.name) or "none"
    raise BuildCommandError(f"{dockerfile.path}: no stage named {target!r} for --target (stages: {names})")


def final_chain(dockerfile: Dockerfile, target: str | None) -> list[Stage]:
    """The stages whose layers make up the built image, base first (FROM another stage)."""
    return target_stage(dockerfile, target).chain


def resolve_image(raw: str, dockerfile: Dockerfile, build_args: dict[str, str]) -> str | None:
    """A FROM's image with global ARG defaults and ``--build-arg`` values applied; None when a
    variable stays unknown. The substitution is the lint's own (dlint/variables.py)."""
    from dlint.variables import Variables

    return Variables(dockerfile, build_args, complete=True).resolve_image(raw)


def check_base_images(api, dockerfile: Dockerfile, target: str | None, build_args: dict[str, str]) -> dict[int, dict]:
    """Inspect every external base image before building: the engine would otherwise try to
    pull a missing one (even with ``pull=False``), and nothing can be pulled here. Returns the
    inspect data per stage index."""
    import docker

    from dlint.image.client import engine_address

    stages = dockerfile.stages
    if target:
        stages = stages[: target_stage(dockerfile, target).index + 1]
    found = {}
    for stage in stages:
        if stage.parent is not None or stage.base.is_scratch:
            continue
        words = stage.from_instruction.words
        image = resolve_image(words[0].raw, dockerfile, build_args) if words else None
        if image is None or image.lower() == "scratch":
            continue
        try:
            found[stage.index] = api.inspect_image(image)
        except docker.errors.ImageNotFound:
            raise BuildCommandError(
                f"{dockerfile.path}:{stage.from_instruction.line}: base image {image} is not on the engine at "
                f"{engine_address()}; dlint build never pulls. Build or load it first "
                f"(docker build / docker load), or change the FROM"
            ) from None
        except docker.errors.APIError as error:
            raise BuildCommandError(f"cannot inspect base image {image}: {error.explanation or error}") from None
    return found


# ---------------------------------------------------------------------------------------------
# Progress: every log line when not on a terminal, one live "Step n/N … elapsed" line on one.


class Progress:
    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.current = "starting"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        if self.tty:  # keep the clock moving while a long RUN prints nothing
            threading.Thread(target=self._tick, daemon=True).start()

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            self._redraw()

    def step(self, label: str) -> None:
        self.current = label
        self._redraw()

    def line(self, text: str) -> None:
        if not self.tty:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _redraw(self) -> None:
        if self.tty and not self._stop.is_set():
            elapsed = time.monotonic() - self.started
            width = shutil.get_terminal_size((100, 20)).columns - 1
            with self._lock:
                self.stream.write("\r\033[K" + f"[{elapsed:6.1f}s] {self.current}"[:width])
                self.stream.flush()

    def done(self) -> None:
        self._stop.set()
        if self.tty:
            with self._lock:
                self.stream.write("\r\033[K")
                self.stream.flush()


# ---------------------------------------------------------------------------------------------
# Classic builder, through the SDK


def build_legacy(client, dockerfile: Dockerfile, options: BuildOptions, progress: Progress) -> BuildResult:
    import docker

    from dlint.image.client import BUILD_TIMEOUT, broken_stream_errors, engine_lost, first_line, unreachable

    instructions = built_instructions(dockerfile, options.target)
    started = time.monotonic()
    steps: list[Step] = []
    image_id = None
    buffer = ""
    error = None
    running: list[str] = []  # intermediate containers the engine reported
    running_in: dict[int, str] = {}  # step number -> its container

    def handle(line: str) -> None:
        match = _STEP.match(line)
        if match:
            number, total = int(match.group(1) or match.group(3)), int(match.group(2) or match.group(4))
            text = match.group(5)
            if total == len(instructions):
                instruction = instructions[number - 1]
            else:  # the builder counted differently: match the printed text
                taken = {id(s.instruction) for s in steps}
                instruction = next((i for i in instructions if id(i) not in taken and _same_text(i, text)), None)
            now = time.monotonic()
            if steps and steps[-1].started is not None:
                steps[-1].seconds = now - steps[-1].started
            steps.append(Step(number, total, text, instruction, started=now))
            progress.step(f"Step {number}/{total} : {text}")
        elif steps:
            step = steps[-1]
            if line == " ---> Using cache" or _PODMAN_CACHED.match(line):
                step.cached = True
            elif line.startswith(" ---> Running in "):
                step.cached = False
                running.append(line.split()[-1])
                running_in[step.number] = running[-1]
            else:
                arrow = _ARROW_ID.match(line)
                if arrow:
                    step.image_id = arrow.group(1)
                    # COPY/ADD print no "Running in"; no "Using cache" before the id means built.
                    if step.cached is None and not step.text.upper().startswith("FROM "):
                        step.cached = False
                elif line.startswith("Successfully built") or line == "COMMIT" or line.startswith("COMMIT "):
                    if step.started is not None and step.seconds is None:
                        step.seconds = time.monotonic() - step.started  # the last step ends here
                elif not line.startswith(("Removing intermediate container", "Successfully ")):
                    step.output.append(line)
        progress.line(line)

    dockerfile_arg = os.path.relpath(options.dockerfile, options.context)
    try:
        stream = client.api.build(
            path=options.context,
            dockerfile=dockerfile_arg,
            tag=options.tag,
            target=options.target,
            buildargs=options.build_args or None,
            nocache=options.no_cache,
            network_mode=options.network,
            rm=True,
            forcerm=True,  # no stopped container per RUN, also when a step fails
            pull=options.pull,
            platform=options.platform,
            labels=options.labels or None,
            cache_from=options.cache_from or None,
            decode=True,
        )
        for chunk in _read_stream(stream, broken_stream_errors()):
            if "stream" in chunk:
                # Chunks do not align with lines: only complete lines are parsed.
                buffer += chunk["stream"]
                *lines, buffer = buffer.split("\n")
                for line in lines:
                    handle(line.rstrip("\r"))
            if "error" in chunk:
                error = chunk.get("errorDetail", {}).get("message") or chunk["error"]
            aux = chunk.get("aux")
            if isinstance(aux, dict) and aux.get("ID"):
                image_id = aux["ID"]  # the last one is the image
    except _StreamBroken as broken:
        # The engine answered, then the stream broke off: the engine went away (killed,
        # crashed, host lost), or said nothing for BUILD_TIMEOUT. Try to remove the step's
        # container either way (this gives up at once when the engine is gone).
        if buffer:
            handle(buffer.rstrip("\r"))
        if running:
            remove_containers(client.api, running[-1:])
        step = steps[-1] if steps else None
        if _is_timeout(broken.error):
            raise BuildFailed(_failure_message(
                dockerfile, steps, f"the engine sent nothing for {BUILD_TIMEOUT} s (dlint's read timeout); "
                "the build was abandoned and its step's container removed"
            )) from None
        raise engine_lost(
            first_line(broken.error),
            f"{step.number}/{step.total} ({step.text.strip()})" if step else None,
            running_in.get(step.number) if step else None,
        ) from None
    except docker.errors.APIError as api_error:
        raise engine_refused(api_error, "the build request") from None
    except docker.errors.DockerException as other:
        if str(other).startswith("invalid tag"):  # the SDK checks the tag before sending anything
            raise BuildCommandError(f"--tag {options.tag}: {other}") from None
        raise unreachable(other) from None
    except OSError as other:  # connection dropped mid-build (requests wraps these as OSError)
        raise unreachable(other) from None
    except BaseException:
        # Ctrl-C: the classic builder keeps running the step's container when the client
        # goes away (forcerm only applies to builds that end), so remove it here.
        if running:
            remove_containers(client.api, running[-1:])
        raise
    finally:
        progress.done()
    if buffer:
        handle(buffer)
    if error or not image_id:
        raise BuildFailed(_failure_message(dockerfile, steps, error or "the engine returned no image id"))
    return BuildResult(image_id, "legacy", steps, time.monotonic() - started, options.no_cache, "sdk")


def _is_timeout(error: BaseException) -> bool:
    import socket

    import requests
    import urllib3

    return isinstance(error, (urllib3.exceptions.ReadTimeoutError, requests.exceptions.Timeout, socket.timeout))


class _StreamBroken(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


def _read_stream(stream, errors: tuple):
    """The build stream's chunks; a read error once it has started is :class:`_StreamBroken`
    (the request itself failing is still the caller's "unreachable"). The engine's answer to
    the request (an HTTP error status: the SDK sends it on the first read) is not a broken
    stream: it is raised as the SDK's APIError."""
    import docker

    iterator = iter(stream)
    while True:
        try:
            chunk = next(iterator)
        except StopIteration:
            return
        except docker.errors.APIError:
            raise
        except errors as error:
            raise _StreamBroken(error) from None
        yield chunk


def engine_refused(error, what: str) -> BuildCommandError:
    """An HTTP error status from the engine, reported whole as what it is: a 4xx means the
    engine refused the request (exit 2), a 5xx that it failed doing it (a failed build, exit 1)."""
    from dlint.image.client import engine_address

    status = getattr(getattr(error, "response", None), "status_code", None)
    reason = getattr(getattr(error, "response", None), "reason", "") or ""
    explanation = error.explanation if getattr(error, "explanation", None) else str(error)
    if isinstance(explanation, bytes):
        explanation = explanation.decode("utf-8", "replace")
    explanation = " ".join(str(explanation).split())
    if status is not None and 400 <= status < 500:
        return BuildCommandError(
            f"the engine at {engine_address()} refused {what} (HTTP {status} {reason}): {explanation}".replace("  ", " ")
        )
    return BuildFailed(f"the engine at {engine_address()} failed {what} (HTTP {status} {reason}): {explanation}")


def remove_containers(api, ids: list[str]) -> None:
    import docker
    import requests

    for container in ids:
        for _ in range(3):  # a second Ctrl-C during clean-up must not leave it behind
            try:
                api.remove_container(container, force=True)
                break
            except KeyboardInterrupt:
                continue
            except docker.errors.NotFound:
                break
            except docker.errors.APIError:
                break  # already being removed by the engine
            except (requests.exceptions.RequestException, OSError):
                break  # the engine is gone: nothing to remove it from


def _failure_message(dockerfile: Dockerfile, steps: list[Step], error: str) -> str:
    error = error.strip()
    if not steps:
        return f"build failed: {error}"
    step = steps[-1]
    where = f"{dockerfile.path}:{step.instruction.line}" if step.instruction else dockerfile.path
    tail = "".join(f"\n    {line}" for line in step.output[-10:])
    return f"build failed at step {step.number}/{step.total} ({where}) {step.text}: {error}{tail}"


# ---------------------------------------------------------------------------------------------
# BuildKit, through a Docker CLI


def _run_quiet(argv: list[str], env: dict | None = None) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None


def buildkit_capable(cli: str) -> tuple[bool, str]:
    """Whether ``cli`` can run a BuildKit build: a buildx plugin, or a client older than 23.0
    (those have BuildKit built in; newer ones refuse DOCKER_BUILDKIT=1 without buildx)."""
    result = _run_quiet([cli, "buildx", "version"])
    if result is not None and result.returncode == 0:
        match = re.search(r"\sv?(\d+)\.(\d+)", result.stdout)
        version = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        # buildx 0.12 and later print BuildKit's own progress events: --progress=rawjson.
        return True, "buildx rawjson" if version >= (0, 12) else "buildx"
    result = _run_quiet([cli, "version", "--format", "{{.Client.Version}}"])
    if result is None:
        return False, "cannot run it"
    version = result.stdout.strip()
    match = re.match(r"(\d+)\.", version)
    if match and int(match.group(1)) < 23:
        return True, f"client {version} with built-in BuildKit"
    return False, f"client {version or '?'} without the buildx plugin"


def find_buildkit_cli(named: str | None) -> tuple[str | None, str]:
    """The CLI to use for BuildKit: the one named (option or $DLINT_DOCKER_CLI), else the first
    capable of ``docker`` on PATH, /usr/bin/docker, /usr/local/bin/docker. Returns (cli, why)."""
    named = named or os.environ.get(CLI_ENV)
    if named:
        path = shutil.which(named)
        if not path:
            return None, f"{named} (named by --docker-cli or {CLI_ENV}) is not an executable"
        ok, why = buildkit_capable(path)
        return (path, why) if ok else (None, f"{path}: {why}")
    tried = []
    for candidate in dict.fromkeys(filter(None, [shutil.which("docker"), "/usr/bin/docker", "/usr/local/bin/docker"])):
        if not os.access(candidate, os.X_OK):
            continue
        ok, why = buildkit_capable(candidate)
        if ok:
            return candidate, why
        tried.append(f"{candidate}: {why}")
    return None, "; ".join(tried) or "no docker CLI found"


def no_buildkit_message(why: str) -> str:
    return (
        f"no Docker CLI that can run BuildKit builds ({why}). Install the buildx plugin, or name a "
        f"capable client with --docker-cli PATH or {CLI_ENV}=PATH (a 20.10 client has BuildKit built in), "
        "or use --builder legacy"
    )


_BK_NAME = re.compile(r"^\[(?:(\S+) )?(\d+)/(\d+)\] (.*)$")


def _timestamp(text: str | None) -> float | None:
    """RFC 3339 with nanoseconds (BuildKit's) as epoch seconds."""
    if not text:
        return None
    from datetime import datetime

    match = re.match(r"^(.*?T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", text)
    if not match:
        return None
    zone = "+00:00" if match.group(3) == "Z" else match.group(3)
    try:
        whole = datetime.fromisoformat(match.group(1) + zone).timestamp()
    except ValueError:
        return None
    return whole + float("0." + (match.group(2) or "0"))


class _RawJson:
    """Reads ``--progress=rawjson``: BuildKit's solve status events, one JSON object after
    another (indented over several lines). Vertices carry their name (``[stage 2/3] RUN …``),
    ``cached``, ``started``/``completed`` times and ``error``; logs are base64."""

    def __init__(self) -> None:
        self.buffer: list[str] = []
        self.depth = 0
        self.first_start: dict[str, float] = {}

    def feed(self, line: str):
        """The decoded object once ``line`` completes one, else None; text outside objects
        comes back as a string."""
        if not self.buffer and not line.startswith("{"):
            return line
        self.buffer.append(line)
        self.depth += line.count("{") - line.count("}")  # braces inside strings balance in practice
        if self.depth > 0:
            return None
        text, self.buffer, self.depth = "\n".join(self.buffer), [], 0
        try:
            return json.loads(text)
        except ValueError:
            return text


def build_buildkit(cli: str, dockerfile: Dockerfile, options: BuildOptions, progress: Progress,
                   rawjson: bool = False) -> BuildResult:
    """``rawjson``: the CLI has buildx 0.12 or later: ``docker buildx build --progress=rawjson``,
    read as events (vertex ids, cached flags, start and completion times); otherwise
    ``--progress=plain`` text, which every BuildKit-capable CLI prints."""
    started = time.monotonic()
    # Vertices are named "[stage n/m] …" ("stage-0" when unnamed), or "[n/m] …" when the build
    # has a single stage.
    stage_of_name = {}
    for stage in dockerfile.stages:
        stage_of_name[stage.name.lower() if stage.name else f"stage-{stage.index}"] = stage
    single = target_stage(dockerfile, options.target).index == 0
    with tempfile.TemporaryDirectory(prefix="dlint-build-") as work:
        iidfile = os.path.join(work, "iid")
        if rawjson:
            argv = [cli, "buildx", "build", "--progress=rawjson", "--iidfile", iidfile, "-f", options.dockerfile]
        else:
            argv = [cli, "build", "--progress=plain", "--iidfile", iidfile, "-f", options.dockerfile]
        if options.network:
            argv += ["--network", options.network]
        if options.tag:
            argv += ["-t", options.tag]
        if options.platform:
            argv += ["--platform", options.platform]
        if options.pull:
            argv.append("--pull")
        for key, value in options.labels.items():
            argv += ["--label", f"{key}={value}"]
        for flag, values in (("--cache-from", options.cache_from), ("--cache-to", options.cache_to),
                             ("--secret", options.secrets), ("--ssh", options.ssh)):
            for value in values:
                argv += [flag, value]
        if options.target:
            argv += ["--target", options.target]
        for key, value in options.build_args.items():
            argv += ["--build-arg", f"{key}={value}"]
        if options.no_cache:
            argv.append("--no-cache")
        argv.append(options.context)
        env = dict(os.environ, DOCKER_BUILDKIT="1")
        vertices: dict[str, Step] = {}
        errors: list[str] = []
        failed_vertex = None
        try:
            process = subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, stdin=subprocess.DEVNULL
            )
        except OSError as error:
            raise BuildCommandError(f"cannot run {cli}: {error}") from None
        reader = _RawJson() if rawjson else None

        def vertex_step(vid: str, stage_name: str | None, index: str, total: str, text: str) -> Step:
            stage = stage_of_name.get((stage_name or "").lower()) if stage_name else (
                dockerfile.stages[0] if single else None
            )
            instruction = None
            if stage is not None and vid not in vertices:
                instruction = _match_vertex(stage, text, {id(v.instruction) for v in vertices.values()})
            if vid not in vertices:
                progress.step(f"[{stage_name + ' ' if stage_name else ''}{index}/{total}] {text}")
            return vertices.setdefault(vid, Step(int(index), int(total), text, instruction))

        def event(document: dict) -> None:
            nonlocal failed_vertex
            for vertex in document.get("vertexes") or []:
                vid, name = vertex.get("digest", ""), vertex.get("name", "")
                match = _BK_NAME.match(name)
                if vertex.get("error"):
                    errors.append(vertex["error"])
                if not match:
                    continue
                step = vertex_step(vid, *match.groups())
                if vertex.get("started") and vid not in reader.first_start:
                    reader.first_start[vid] = _timestamp(vertex["started"]) or 0.0
                if vertex.get("cached"):
                    step.cached = True
                if vertex.get("completed"):
                    begun, done = reader.first_start.get(vid), _timestamp(vertex["completed"])
                    if begun is not None and done is not None:
                        step.seconds = max(0.0, done - begun)
                    if step.cached is None:
                        step.cached = False
                if vertex.get("error"):
                    failed_vertex = step
            for log in document.get("logs") or []:
                step = vertices.get(log.get("vertex", ""))
                try:
                    text = base64.b64decode(log.get("data", "")).decode("utf-8", "replace")
                except ValueError:
                    continue
                for line in text.splitlines():
                    if step is not None:
                        step.output.append(line)
                    progress.line(line)

        try:
            for raw in process.stdout:
                line = raw.rstrip("\n")
                if reader is not None:
                    got = reader.feed(line)
                    if isinstance(got, dict):
                        event(got)
                    elif isinstance(got, str):
                        if got.startswith(("error:", "ERROR:", "failed to solve")):
                            errors.append(got)
                        progress.line(got)
                    continue
                match = _BK_VERTEX.match(line)
                if match:
                    vid, stage_name, index, total, text = match.groups()
                    stage = stage_of_name.get((stage_name or "").lower()) if stage_name else (
                        dockerfile.stages[0] if single else None
                    )
                    instruction = None
                    if stage is not None and vid not in vertices:
                        instruction = _match_vertex(stage, text, {id(v.instruction) for v in vertices.values()})
                    vertices.setdefault(vid, Step(int(index), int(total), text, instruction))
                    progress.step(f"[{stage_name + ' ' if stage_name else ''}{index}/{total}] {text}")
                else:
                    status = _BK_STATUS.match(line)
                    if status and status.group(1) in vertices:
                        step = vertices[status.group(1)]
                        if status.group(2) == "CACHED":
                            step.cached = True
                            step.seconds = 0.0
                        elif status.group(2).startswith("DONE"):
                            step.cached = False if step.cached is None else step.cached
                            step.seconds = float(status.group(2)[5:-1])
                        else:
                            failed_vertex = step
                            errors.append(status.group(2)[len("ERROR: "):])
                    elif line.startswith("#") and " " in line and not line.split(" ", 1)[1].startswith("sha256:"):
                        vid = line[1:].split(" ", 1)[0]
                        if vid in vertices:
                            vertices[vid].output.append(line.split(" ", 2)[-1])
                    elif line.startswith(("error:", "ERROR:", "failed to solve")):
                        errors.append(line)
                progress.line(line)
            returncode = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            progress.done()
        steps = sorted(vertices.values(), key=lambda s: (s.instruction.line if s.instruction else 0, s.number))
        for step in steps:
            if step.instruction is not None and step.instruction.keyword == "FROM":
                step.cached = None
        if returncode != 0:
            message = errors[-1] if errors else f"{cli} build exited with status {returncode}"
            if failed_vertex is not None:
                where = f"{dockerfile.path}:{failed_vertex.instruction.line}" if failed_vertex.instruction else dockerfile.path
                tail = "".join(f"\n    {line}" for line in failed_vertex.output[-10:])
                raise BuildFailed(f"build failed at {where} {failed_vertex.text}: {message}{tail}")
            raise BuildFailed(f"build failed: {message}")
        with open(iidfile) as handle:
            image_id = handle.read().strip()
    return BuildResult(image_id, "buildkit", steps, time.monotonic() - started, options.no_cache,
                       "rawjson" if rawjson else "plain")


def _match_vertex(stage: Stage, text: str, taken: set[int]) -> Instruction | None:
    """The instruction a BuildKit vertex (``[2/3] COPY a /b``) ran. Its ``n/m`` counts only the
    instructions that make vertices (FROM, RUN, COPY, ADD, WORKDIR), so match by keyword and
    text, taking the first instruction not matched yet."""
    keyword = text.partition(" ")[0].upper()
    candidates = [i for i in stage.instructions if i.keyword == keyword and id(i) not in taken]
    return next((i for i in candidates if _same_text(i, text)), candidates[0] if candidates else None)


def check_heredoc_support(api, dockerfile: Dockerfile, buildkit: bool) -> None:
    """Heredocs (``RUN <<EOF``) need a Dockerfile frontend of 1.4 or later: built into Docker
    23.0 and newer, or named by a ``# syntax=`` line (an image the engine must pull). The
    classic builder never has them. Say so in one line before building, instead of the
    engine's "unknown instruction" after it."""
    heredoc = next((i for i in dockerfile.instructions if i.heredocs), None)
    if heredoc is None:
        return
    where = f"{dockerfile.path}:{heredoc.line}"
    if not buildkit:
        raise BuildCommandError(
            f"{where}: heredocs need BuildKit; the classic builder (--builder legacy) cannot build them"
        )
    if dockerfile.directive("syntax") is not None:
        return  # the named frontend decides (and must be pullable)
    try:
        version = str(api.version().get("Version", ""))
    except Exception:  # noqa: BLE001 - the build itself will say what is wrong with the engine
        return
    match = re.match(r"(\d+)\.", version)
    if match and int(match.group(1)) < 23:
        raise BuildCommandError(
            f"{where}: heredocs need Dockerfile frontend 1.4 or later; the engine (Docker {version}) has an older "
            "one built in. Build on Docker 23.0 or newer, or add `# syntax=docker/dockerfile:1` as the first line "
            "(the engine then pulls that frontend image from a registry)"
        )


def needs_buildkit(dockerfile: Dockerfile) -> bool:
    """Features the classic builder cannot build: RUN --mount, heredocs, COPY --link …"""
    for instruction in dockerfile.instructions:
        if instruction.heredocs:
            return True
        if any(flag.name in ("mount", "network", "security", "link", "parents", "exclude") for flag in instruction.flags):
            return True
    return False

