"""Streamlit Community Cloud's entry: the whole app, with the CPU build of PyTorch.

In Community Cloud's "Deploy an app" form, set the main file path to
``deploy/streamlit-cloud/streamlit_app.py`` (README, "Streamlit Community Cloud").

Community Cloud installs the dependency file next to the entry file first, so this folder's
requirements.txt (CPU torch from PyTorch's wheel index) is used there while the repository's
own requirements.txt keeps working for local installs on Linux and macOS. Streamlit finds
st.Page files and static/ beside the main script: ``app_pages`` and ``static`` here are
symbolic links to the repository's folders; ``.streamlit/config.toml`` is read from the
repository root, where Community Cloud runs ``streamlit run``.
"""

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # core/, ui/ and the pages import from the repository root
runpy.run_path(str(ROOT / "app.py"), run_name="__main__")
