"""Pure-PyTorch compute for Deep Learning Explorer.

Nothing in this package imports streamlit: every experiment is a plain function
``run_<concept>(cfg) -> Result`` that tests, benchmarks and notebooks can call directly.
"""

import os

import torch

# One intra-op thread per run. The tensors here are small and a shared server runs many
# sessions at once (each a thread), so torch's own thread pool only oversubscribes the
# cores (BENCHMARKS.md, section 3 has the figures). Parallelism comes from
# sessions running side by side (torch releases the GIL). Override with DLE_TORCH_THREADS
# for a single-user laptop if you like.
torch.set_num_threads(int(os.environ.get("DLE_TORCH_THREADS", "1")))
