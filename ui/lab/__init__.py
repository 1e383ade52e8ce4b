"""The /playground lab's Streamlit side: its session state and callbacks (``state``) and
what its live fragment draws (``view``)."""
