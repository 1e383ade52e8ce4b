# Deep Learning Explorer for a class: scripts/serve.sh (app processes behind HAProxy) in one image.
#
#   docker build -t dle .
#   docker run --rm -p 8501:8501 dle                         # one app process per core
#   docker run --rm -p 8501:8501 -e WORKERS=4 -e STREAMLIT_SERVER_COOKIE_SECRET=... dle
#
# torch comes from the CPU-only wheel index (a few hundred MB instead of several GB of CUDA
# libraries); pass another index with --build-arg TORCH_INDEX_URL=... .
#
# Runs as any uid: the image's user is uid 1000 (what a Hugging Face Space runs it as), and
# HOME (Streamlit's and torch's caches) is writable by every uid, for platforms that pick
# their own (OpenShift, `docker run --user`). On a Space (SPACE_ID set) serve.sh listens on
# 7860 and sets cookies for an HTTPS page embedded in huggingface.co (README, "Hugging Face").
FROM python:3.11-slim

ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHON=python \
    HOME=/home/dle \
    USER=dle

# HAProxy from Debian: serve.sh balances the app processes with it.
RUN apt-get update \
    && apt-get install -y --no-install-recommends haproxy \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
# torch and torchvision at the versions requirements.txt pins, from the CPU index; then the rest.
RUN pip install --index-url "$TORCH_INDEX_URL" $(grep -E '^(torch|torchvision)==' requirements.txt | cut -d' ' -f1)
RUN pip install -r requirements.txt

COPY . .
# USER=dle above: torch asks getpass for a user name, which an unnamed uid does not have.
RUN useradd --create-home --uid 1000 dle && chmod 1777 /home/dle
USER 1000

EXPOSE 8501 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_stcore/health' % os.environ.get('PORT', '7860' if os.environ.get('SPACE_ID') else '8501'), timeout=4)"
CMD ["bash", "scripts/serve.sh"]
