"""Training and evaluation: datasets (data), settings and entry point (train), the loop (loop), resumable state
(state), evaluation (evaluate), and torchrun helpers (distributed)."""
