"""Checkpoints on disk and on the Hugging Face Hub (checkpoint, card), CLIP weights (clip_weights), and model
specs (specs: one string names a model everywhere)."""
