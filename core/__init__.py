"""Pure-PyTorch compute for Deep Learning Explorer.

Nothing in this package imports streamlit: every experiment is a plain function
``run_<concept>(cfg) -> Result`` that tests, benchmarks and notebooks can call directly.
"""
