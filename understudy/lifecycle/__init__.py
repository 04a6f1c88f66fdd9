"""State that changes by itself: the clock and the worker that applies due transitions."""
