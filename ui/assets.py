"""Files the browser loads from the app's own ``static/`` folder (Streamlit's static serving,
``enableStaticServing`` in .streamlit/config.toml, at ``app/static/``): no network, no build.

``static_module`` is how the app's Custom Components v2 (the chart element, the lab's drawing)
get their JavaScript. A component given its code inline re-sends the whole file in every
element message: 12 kB with each chart a press changes and 19 kB with each of the lab's up to
~16 ticks a second. Given this loader instead, each message carries ~0.3 kB, and the browser
fetches the file once per page and keeps the module.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_URL = "app/static/"  # relative to the page, like the font URLs in config.toml


def static_url(filename: str) -> str:
    """The URL of ``static/<filename>``, versioned by its content (an upgraded app's browsers
    fetch the new file instead of a cached old one)."""
    version = hashlib.sha256((STATIC_DIR / filename).read_bytes()).hexdigest()[:12]
    return f"{STATIC_URL}{filename}?v={version}"


def static_module(filename: str) -> str:
    """Inline JS for ``st.components.v2.component(js=...)`` that runs the default export of the
    ES module ``static/<filename>`` with the component's arguments and returns what it returns
    (its cleanup). The URL is resolved against the page, so a server under a path prefix works
    as the fonts do."""
    url = json.dumps(static_url(filename))
    return (f"const url = new URL({url}, document.baseURI).href;\n"
            "export default async function (component) {\n"
            "  return (await import(url)).default(component);\n"
            "}\n")
