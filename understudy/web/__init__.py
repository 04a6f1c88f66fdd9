"""The control plane under /_understudy: health, reset, clock, outages, state, dashboard."""
