"""The app embedded in another site's page over HTTPS: CSV upload on /playground works.

scripts/serve.sh terminates TLS itself (TLS_CERT: a self-signed certificate made here with
openssl for app.dle.test) in front of two app processes; a page on a second origin
(http://class.example.test, another site) shows the app in an iframe, the way a course site
or a Hugging Face Space page does. Chromium maps both names to 127.0.0.1 and accepts the
certificate. In the frame, a CSV goes into /playground's uploader; the page must then say it
trains on that file. The upload is a POST that needs Streamlit's XSRF cookie and HAProxy's
affinity cookie: in a cross-site frame a browser only sends cookies that are SameSite=None
and Secure, which serve.sh sets when browsers come over HTTPS. The second test turns that off
(HTTPS_FRONT=0) and sees the upload refused, so the first one can fail.
"""

from __future__ import annotations

import http.server
import re
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from devtools.app_server import CHROMIUM, CHROMIUM_ARGS, READY, ServeSh, serve_sh

APP_HOST, CLASS_HOST = "app.dle.test", "class.example.test"
REFUSED = re.compile("403|rror")  # what the uploader says when the POST is refused
LATE_SUCCESS_MS = 5_000
CSV = "x1,x2,label\n" + "".join(f"{(i % 7) / 7 - 0.5:.3f},{(i % 5) / 5 - 0.4:.3f},{i % 2}\n"
                                for i in range(40))


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={APP_HOST}", "-addext", f"subjectAltName=DNS:{APP_HOST}",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    pem = folder / "app.pem"  # HAProxy wants certificate and key in one file
    pem.write_text((folder / "cert.pem").read_text() + (folder / "key.pem").read_text())
    return pem


@contextmanager
def _serve(certificate: Path, workers: int, https_front: str, logs: Path) -> Iterator[ServeSh]:
    """serve.sh terminating TLS itself in front of ``workers`` app processes."""
    with serve_sh({"WORKERS": str(workers), "WARM_UP": "home", "TLS_CERT": str(certificate),
                   "HTTPS_FRONT": https_front, "LOG_DIR": str(logs)}) as server:
        assert server.base.startswith("https://"), server.lines
        yield server


def _class_site(app_port: int):
    """http://class.example.test:<port>/ : a page with the app in an iframe."""
    page = (f'<!doctype html><title>Course site</title><h1>Lesson 4</h1>'
            f'<iframe src="https://{APP_HOST}:{app_port}/playground?lang=en" '
            f'width="1360" height="2400" style="border:0"></iframe>').encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _upload_in_frame(app_port: int, csv: Path, shot: Path) -> tuple[bool, dict, str]:
    from playwright.sync_api import sync_playwright

    site = _class_site(app_port)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS + ["--ignore-certificate-errors",
                                      f"--host-resolver-rules=MAP {APP_HOST} 127.0.0.1, "
                                      f"MAP {CLASS_HOST} 127.0.0.1"])
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(f"http://{CLASS_HOST}:{site.server_address[1]}/")
            frame = page.frame_locator("iframe")
            frame.locator(READY).wait_for(timeout=240_000)
            uploader = frame.locator("[data-testid=stFileUploader] input[type=file]")
            uploader.wait_for(state="attached", timeout=120_000)
            uploader.set_input_files(str(csv))
            loaded = frame.get_by_text(f"Training on your file {csv.name}")
            # A refused upload shows its error in the uploader (Streamlit's "AxiosError: … 403"):
            # the wait ends at whichever answer comes, not after 120 s of hoping for the other.
            refused = frame.locator("[data-testid=stFileUploader]").get_by_text(REFUSED)
            try:
                loaded.or_(refused).first.wait_for(timeout=120_000)
            except Exception:  # playwright's TimeoutError: neither answer came
                pass
            if refused.count():  # a success after the error still counts: give it a moment
                page.wait_for_timeout(LATE_SUCCESS_MS)
            ok = loaded.count() > 0
            uploader_text = frame.locator("[data-testid=stFileUploader]").inner_text()
            page.screenshot(path=str(shot), full_page=False)
            cookies = {c["name"]: c for c in context.cookies(f"https://{APP_HOST}:{app_port}")}
            browser.close()
    finally:
        site.shutdown()
    return ok, cookies, uploader_text


def test_csv_upload_works_in_a_cross_site_iframe_over_https(certificate, tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text(CSV)
    with _serve(certificate, workers=2, https_front="", logs=tmp_path) as server:
        ok, cookies, uploader_text = _upload_in_frame(server.port, csv, tmp_path / "embed.png")
    assert ok, uploader_text
    for name in ("_streamlit_xsrf", "DLE_BACKEND"):  # both kept by the cross-site frame
        assert cookies[name]["sameSite"] == "None" and cookies[name]["secure"], cookies


def test_without_samesite_none_the_embedded_upload_is_refused(certificate, tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text(CSV)
    with _serve(certificate, workers=1, https_front="0", logs=tmp_path) as server:
        ok, cookies, uploader_text = _upload_in_frame(server.port, csv, tmp_path / "refused.png")
    assert not ok
    assert REFUSED.search(uploader_text), uploader_text
