"""Every page of the app: URL path (a contract: teachers share links), file, section.

A page whose file does not exist yet is simply left out of the navigation, so pages can
land one by one. Tests and benchmarks iterate over ``available_pages()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PageInfo:
    url_path: str  # "" for home; otherwise the path after the host, e.g. "activations"
    namespace: str  # locale namespace and file stem, e.g. "train_vs_eval"
    section: str  # "home", "4.1", "4.2", "4.3" or "lab"
    icon: str

    @property
    def script(self) -> str:
        """Path relative to app.py, as st.Page, st.page_link and AppTest.switch_page want it.

        The folder is ``app_pages/``, not ``pages/``: Streamlit still treats a ``pages/``
        folder beside the main script as a legacy multipage app until some session has run
        ``st.navigation``, so on a freshly started server a shared deep link such as
        ``/activations`` would run the page file alone, without the router or language switch.
        """
        return f"app_pages/{self.namespace}.py"

    @property
    def file(self) -> Path:
        return ROOT / self.script


PAGES: tuple[PageInfo, ...] = (
    PageInfo("", "home", "home", ":material/home:"),
    PageInfo("forward-pass", "forward_pass", "4.1", ":material/arrow_forward:"),
    PageInfo("activations", "activations", "4.1", ":material/show_chart:"),
    PageInfo("losses", "losses", "4.1", ":material/target:"),
    PageInfo("backprop", "backprop", "4.1", ":material/undo:"),
    PageInfo("optimizers", "optimizers", "4.1", ":material/route:"),
    PageInfo("normalization", "normalization", "4.2", ":material/tune:"),
    PageInfo("augmentation", "augmentation", "4.2", ":material/rotate_right:"),
    PageInfo("data-split", "data_split", "4.2", ":material/call_split:"),
    PageInfo("dataloader", "dataloader", "4.2", ":material/view_module:"),
    PageInfo("metrics", "metrics", "4.3", ":material/analytics:"),
    PageInfo("dropout", "dropout", "4.3", ":material/grain:"),
    PageInfo("batchnorm", "batchnorm", "4.3", ":material/equalizer:"),
    PageInfo("train-vs-eval", "train_vs_eval", "4.3", ":material/compare_arrows:"),
    PageInfo("playground", "playground", "lab", ":material/science:"),
)
SECTIONS = ("home", "4.1", "4.2", "4.3", "lab")
# The lesson path: the notes' order, which a class walks with "previous / next" links.
LESSON_PATH = ("", "forward-pass", "activations", "losses", "backprop", "optimizers",
               "normalization", "augmentation", "data-split", "dataloader", "metrics",
               "dropout", "batchnorm", "train-vs-eval", "playground")


def available_pages() -> list[PageInfo]:
    return [page for page in PAGES if page.file.exists()]


def page_by_namespace(namespace: str) -> PageInfo:
    return next(page for page in PAGES if page.namespace == namespace)


def page_by_url_path(url_path: str) -> PageInfo | None:
    return next((page for page in PAGES if page.url_path == url_path), None)


def lesson_pages() -> list[PageInfo]:
    """The lesson path's pages that exist (a page not written yet is skipped)."""
    existing = {page.url_path: page for page in available_pages()}
    return [existing[path] for path in LESSON_PATH if path in existing]


def lesson_neighbours(url_path: str) -> tuple[PageInfo | None, int, int, PageInfo | None]:
    """(previous page, step k (1-based; 0 if off the path), n steps, next page)."""
    path = lesson_pages()
    paths = [page.url_path for page in path]
    if url_path not in paths:
        return None, 0, len(path), None
    i = paths.index(url_path)
    return (path[i - 1] if i > 0 else None, i + 1, len(path),
            path[i + 1] if i + 1 < len(path) else None)
