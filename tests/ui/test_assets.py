"""The components' JavaScript comes from static/ (ui.assets), not inside every message."""

from __future__ import annotations

import hashlib
import re

from ui import assets
from ui.lab import drawing

MODULES = ("chart_element.js", "lab_drawing.js")


def test_each_module_is_a_file_with_a_default_export():
    for name in MODULES:
        source = (assets.STATIC_DIR / name).read_text(encoding="utf-8")
        assert re.search(r"^export default function", source, re.M), name


def test_the_loader_names_the_file_by_its_content_and_stays_small():
    for name in MODULES:
        loader = assets.static_module(name)
        digest = hashlib.sha256((assets.STATIC_DIR / name).read_bytes()).hexdigest()[:12]
        assert f'"app/static/{name}?v={digest}"' in loader
        assert "document.baseURI" in loader  # relative to the page, like the fonts
        assert len(loader.encode()) < 400  # what each element message now carries
    assert drawing.JS == assets.static_module("lab_drawing.js")


def test_a_changed_file_gets_a_new_url(tmp_path, monkeypatch):
    monkeypatch.setattr(assets, "STATIC_DIR", tmp_path)
    (tmp_path / "m.js").write_text("export default function () {}\n")
    before = assets.static_url("m.js")
    (tmp_path / "m.js").write_text("export default function () { return 1; }\n")
    assert assets.static_url("m.js") != before
