"""Model cards (README.md) of the ALT World checkpoints: the pretrained CLIP and the shipped model."""

from __future__ import annotations

import json
from typing import Any

from alt.model.config import ALTConfig

FRONT = ["---", "library_name: alt-explorer", "pipeline_tag: video-classification",
         "tags: [video-classification, zero-shot, clip, alt, synthetic]", "---"]


def pretrain_card(config: ALTConfig, summary: dict[str, Any]) -> str:
    """Card of the folder `alt world pretrain` writes: the CLIP is trained, the adapter is not."""
    s = summary["settings"]
    lines = FRONT + [
        f"# ALT World CLIP ({config.clip_name}), pretrained; adapter untrained",
        "",
        ("A small open_clip CLIP trained from scratch on ALT World frames and captions by "
        "`alt world pretrain` (alt/world/pretrain.py): open_clip's ClipLoss on the class token and the captions, "
        "plus three documented extra terms: a dense region-text loss (every region token classified among the 26 "
        "world entities' texts), a region-position read-out loss and a uniformity term on random token texts."),
        ("Its adapter is untrained: it predicts CLIP's frame-mean zero-shot answer. Train the adapter with "
        "`alt train --model <this folder>`."),
        "",
        f"- steps {summary['steps']}, batch {s['batch_size']}, {summary['frames_seen']} frames, seed {s['seed']}",
        (f"- wall {summary['wall_s'] / 60:.1f} min, CPU {summary['cpu_s'] / 60:.1f} min, {s['threads']} threads, "
        f"load average {summary['load_avg_start'][0]:.1f} at the start"),
        f"- first step: {_losses(summary['first'])}",
        f"- last step: {_losses(summary['last'])}",
        "",
        "```json",
        json.dumps(s, indent=2, sort_keys=True),
        "```",
    ]
    return "\n".join(lines) + "\n"


def _losses(rec: dict[str, Any]) -> str:
    return (f"loss {rec['loss']:.3f} (contrastive {rec['clip_loss']:.3f}, dense {rec['dense_loss']:.3f}, "
            f"position {rec['position_loss']:.3f}), dense patch accuracy {rec['dense_acc']:.3f}")


def _pretrain_rows(log: list[dict[str, Any]]) -> list[str]:
    rows = ["| step | loss | contrastive | dense | position | dense patch acc | r | elapsed s |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for rec in log:
        if rec.get("event") == "step":
            rows.append(f"| {rec['step']} | {rec['loss']:.3f} | {rec['clip_loss']:.3f} | {rec['dense_loss']:.3f} | "
                        f"{rec['position_loss']:.3f} | {rec['dense_acc']:.3f} | {rec['r']} | {rec['elapsed_s']:.0f} |")
    return rows


def _train_rows(log: list[dict[str, Any]]) -> list[str]:
    rows = ["| epoch | step | train loss | train top-1 | val top-1 | val frame-mean top-1 | elapsed s |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for rec in log:
        if rec.get("event") == "epoch":
            val = rec.get("val_top1", float("nan"))
            base = rec.get("val_baseline_top1", float("nan"))
            rows.append(f"| {rec['epoch'] + 1} | {rec['step']} | {rec['train_loss']:.3f} | {rec['train_top1']:.3f} | "
                        f"{val:.3f} | {base:.3f} | {rec['elapsed_s']:.0f} |")
    return rows


def log_event(log: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The first record of event `name` ("start", "end") in an `alt train` metrics.jsonl, or {}."""
    return next((r for r in log if r.get("event") == name), {})


def _adapter_step(train_logs: list[list[dict[str, Any]]]) -> str:
    """Step 2 of "How it was made": every `alt train` run's settings, oldest first."""
    head = "2. **Adapter** (`alt train`, the project's normal training path; the CLIP stays frozen): "
    settings = [json.dumps(log_event(log, "start").get("settings", {}), sort_keys=True) for log in train_logs]
    if len(settings) == 1:
        return head + settings[0]
    return head + "; ".join(f"run {i} ({'from the pretrained CLIP' if i == 1 else f'continuing run {i - 1}'}): {s}"
                            for i, s in enumerate(settings, 1))


def _training_time_row(train_logs: list[list[dict[str, Any]]]) -> str:
    ends = [log_event(log, "end") for log in train_logs]
    minutes = [e.get("elapsed_s", float("nan")) / 60 for e in ends]
    notes = "; ".join(f"run {i}: {m:.1f} min, {e.get('stopped', '')}" for i, (m, e) in enumerate(zip(minutes, ends), 1))
    return f"| adapter training | {sum(minutes):.1f} min | | {notes if len(ends) > 1 else ends[0].get('stopped', '')} |"


def _log_files(runs: int) -> str:
    """The card's names for the training logs, run 1 first (release.py writes them)."""
    earlier = [f"train_log_run{i}.jsonl (run {i})" for i in range(1, runs)]
    return ", ".join([*earlier, f"train_log.jsonl ({f'run {runs}, ' if runs > 1 else ''}alt train's metrics.jsonl)"])


def release_card(config: ALTConfig, report: dict[str, Any], pretrain: dict[str, Any],
                 train_logs: list[list[dict[str, Any]]], pretrain_log: list[dict[str, Any]], commands: str | None) -> str:
    """The shipped model's card: what it is, the exact commands, timings, the evaluation tables and the logs.

    `train_logs` holds the metrics.jsonl records of every `alt train` run behind the model, oldest first (a
    run continued from the one before it); the last one trained the released weights.
    """
    from alt.world.report import SPEED_TARGET_S, full_report

    ps, speed = pretrain["settings"], report.get("speed", {})
    lines = FRONT + [
        "# ALT World: an ALT model trained in a synthetic video world with known ground truth",
        "",
        ("A small ALT (\"Align before Adapt\") model made entirely by this project, offline, on ALT World "
        "(alt/world/): procedural clips of 13 actions (6 of them temporal pairs that no single frame tells "
        "apart) with per-pixel masks of 26 entities. Its CLIP was trained from scratch on world frames and "
        "captions; its adapter on world clips with `alt train`. Because the world's truth is known, its "
        "explanations are measured, not just shown (tables below). It knows nothing of real videos."),
        "",
        "Load it with the model spec `world` (`alt explain clip.mp4 --model world --classes ...`, "
        "`make app MODEL=world`, `alt.load_model(\"world\")`). Classes: " + ", ".join(f"\"{a}\"" for a in
                                                                                         report["settings"]["actions"])
        + f". Prompt templates: {config.prompt_templates}. Entities: the 26 world entities (corpus.jsonl).",
        "",
        "## Architecture",
        (f"open_clip ViT, {config.image_size} px input, patch {config.patch_size}, width "
        f"{config.vision_cfg['width']}, {config.num_layers} layers; text tower width "
        f"{config.clip_config['text_cfg']['width']}, {config.clip_config['text_cfg']['layers']} layers, context "
        f"{config.clip_config['text_cfg']['context_length']}, open_clip's SimpleTokenizer; joint dim "
        f"{config.embed_dim}; r = {config.r}; {config.adapter_layers}-layer adapter with {config.adapter_heads} heads. "
        "Weights stored in float16 (loading casts to float32)."),
        "",
        "## How it was made",
        ("1. **Pretraining** (`alt world pretrain`, alt/world/pretrain.py): open_clip's `ClipLoss` between the "
        "class token of ALT's own region-aware encoder and the frame's caption, plus a documented extra "
        "supervision, a dense region-text loss: every region token's joint-space embedding (ln_post + proj) is "
        "classified among the text embeddings of the 26 entities (\"{unit}: {description}\") against its "
        "patches' labels (the entity under most of a patch, things weighted 3x); a region-position loss (a "
        "linear read-out, thrown away, must recover each region's place from its embedding, so tokens keep where "
        "they are); and a uniformity term (Wang and Isola 2020) on the text embeddings of random token sequences, "
        "so words the captions never use still move a class name's embedding (weights in pretrain.json). Half "
        "of the captions are cut to random spans. Frames flipped and "
        "JPEG-compressed at random (captions never name a side). Deterministic (seeded, "
        "`torch.use_deterministic_algorithms`, fixed threads)."),
        (f"   {pretrain['steps']} steps x {ps['batch_size']} frames = {pretrain['frames_seen']} frames, AdamW lr "
        f"{ps['lr']}, warm-up {ps['warmup']}, weight decay {ps['weight_decay']}, r cycled over {ps['merge_r']}, "
        f"seed {ps['seed']}, {ps['threads']} threads; loss weights: dense {ps.get('dense_weight')}, position "
        f"{ps.get('position_weight')}, uniformity {ps.get('uniformity_weight', 0)}."),
        _adapter_step(train_logs),
        "3. **Release** (`alt world release`): float16 copy, logs, evaluation, this card.",
        "",
    ]
    if commands:
        lines += ["Exact commands:", "", "```", commands.strip(), "```", ""]
    lines += [
        "## Timings (this project's 2-core CPU, shared with other work: load averages noted)",
        "| stage | wall | CPU | notes |", "| --- | ---: | ---: | --- |",
        (f"| pretraining | {pretrain['wall_s'] / 60:.1f} min | {pretrain['cpu_s'] / 60:.1f} min | load average "
        f"{pretrain['load_avg_start'][0]:.1f} at the start, {pretrain['load_avg_end'][0]:.1f} at the end; "
        f"rendering {pretrain['data_s'] / 60:.1f} min of the wall time |"),
        _training_time_row(train_logs),
        (f"| load `world` + explain one 8-frame clip | {speed.get('load_and_explain_s', float('nan')):.3f} s | "
        f"| target < {SPEED_TARGET_S} s; load {speed.get('load_s', float('nan')):.3f} s, explain "
        f"{speed.get('first_explain_s', float('nan')):.3f} s "
        f"(warm: {speed.get('warm_explain_s', float('nan')):.3f} s) |"),
        "",
        "## Evaluation on held-out world clips (`alt world eval`)",
        "",
        full_report(report),
        "",
        "## Logs",
        f"Full records: pretrain_log.jsonl, pretrain.json, {_log_files(len(train_logs))}, eval.json.",
        "",
        "Pretraining:",
        "",
        *_pretrain_rows(pretrain_log),
        "",
        *(line for i, log in enumerate(train_logs, 1) for line in (
            f"Adapter training{f', run {i}' if len(train_logs) > 1 else ''}:", "", *_train_rows(log), "")),
        "## Intended use and limits",
        ("Teaching and testing explanations: a model whose regions, alignments and attention can be checked "
        "against the truth. Synthetic only: cartoon-like 96 px scenes of 13 actions; on real videos its "
        "predictions and explanations mean nothing."),
    ]
    return "\n".join(lines) + "\n"
