"""The /playground lab's Streamlit side: its session state and callbacks (``state``), what
its live fragment draws (``view``) and the in-place drawing element (``drawing``)."""
