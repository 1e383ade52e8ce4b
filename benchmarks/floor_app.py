"""Streamlit's floor: one slider, one Plotly chart, nothing else (benchmarks/bench_floor.py).

Whatever a page of the app costs beyond this is ours; this much is Streamlit's and the
browser's (the slider's front-end handling, a rerun, one chart transferred and redrawn).
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

n = st.slider("Frequency", 1, 50, 5, key="f")
x = np.linspace(0, 1, 200)
st.plotly_chart(go.Figure(go.Scatter(x=x, y=np.sin(2 * np.pi * n * x))), key="chart",
                width="stretch")
