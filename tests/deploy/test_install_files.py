"""The files a newcomer or a host reads first: cheap checks, no installs.

- scripts/setup.sh refuses an unsupported Python with a message that says what to do;
- deploy/streamlit-cloud/requirements.txt pins what requirements.txt pins (torch and
  torchvision as their +cpu builds), with PyTorch's CPU index as an extra index;
- the Community Cloud entry finds the pages and static files where Streamlit looks for them;
- deploy/huggingface/README.md has the header a Docker Space needs;
- the Kubernetes manifest names a registry, a pull policy that works for a pushed tag, and
  memory limits no smaller than what serve.sh's WORKERS default assumes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYENV = Path("/root/.pyenv/versions")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            name, spec = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", line).groups()
            pins[name.lower()] = spec.replace(" ", "")
    return pins


def test_cloud_requirements_follow_the_main_ones_with_cpu_torch():
    main = _pins(ROOT / "requirements.txt")
    cloud_file = ROOT / "deploy" / "streamlit-cloud" / "requirements.txt"
    cloud = _pins(cloud_file)
    assert set(cloud) == set(main)
    for name, spec in main.items():
        expected = spec + "+cpu" if name in ("torch", "torchvision") else spec
        assert cloud[name] == expected, (name, cloud[name], expected)
    options = [line for line in cloud_file.read_text().splitlines() if line.startswith("-")]
    # An EXTRA index: uv asks it first (torch can only come from it), pip merges it with PyPI.
    assert options == ["--extra-index-url https://download.pytorch.org/whl/cpu"]


def test_cloud_entry_sees_the_pages_and_static_files():
    folder = ROOT / "deploy" / "streamlit-cloud"
    for name in ("app_pages", "static"):  # Streamlit resolves both beside the main script
        assert (folder / name).is_symlink()
        assert (folder / name).resolve() == (ROOT / name).resolve()
    from ui.registry import available_pages
    for page in available_pages():
        assert (folder / page.script).is_file(), page.script


def test_space_header():
    text = (ROOT / "deploy" / "huggingface" / "README.md").read_text()
    header = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert header, "the header must open the file"
    fields = dict(line.split(": ", 1) for line in header[1].splitlines())
    assert fields["sdk"] == "docker" and fields["app_port"] == "7860"
    assert len(fields["short_description"]) <= 60  # the Hub rejects longer ones
    serve = (ROOT / "scripts" / "serve.sh").read_text()
    assert 'PORT:=7860' in serve and "SPACE_ID" in serve


def test_kubernetes_image_and_limits():
    text = (ROOT / "deploy" / "kubernetes.yaml").read_text()
    image = re.search(r"image: (\S+)", text)[1]
    registry, tag = image.partition("/")[0], image.rsplit(":", 1)[-1]
    assert "." in registry or ":" in registry, image  # a registry host, not a bare name
    assert tag not in ("latest", image), image  # a pushed version tag
    assert re.search(r"imagePullPolicy: IfNotPresent", text)
    limit = re.search(r"limits: \{cpu: \"(\d+)\", memory: (\d+)Mi\}", text)
    cores, memory_mb = int(limit[1]), int(limit[2])
    worker_mb = int(re.findall(r"WORKER_MB=(\d+)\s*$", (ROOT / "scripts" / "serve.sh").read_text(),
                                re.M)[-1])  # the CPU build's figure (the image's)
    assert (memory_mb - 256) // worker_mb >= cores, "the pod's memory must fit a process per core"


@pytest.mark.parametrize("version", ["3.9", "3.10"])
def test_setup_refuses_an_unsupported_python(tmp_path, version):
    python = next(PYENV.glob(f"{version}*/bin/python3"), None) or shutil.which(f"python{version}")
    if python is None:
        pytest.skip(f"no Python {version} on this machine")
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    shutil.copy(ROOT / "requirements.txt", tmp_path / "requirements.txt")
    done = subprocess.run(["bash", "scripts/setup.sh"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/bin:/bin", "PYTHON": str(python)})
    assert done.returncode == 1
    assert f"is Python {version}" in done.stderr
    assert "needs Python 3.11, 3.12 or 3.13" in done.stderr
    assert not (tmp_path / ".venv").exists()  # nothing half-made
