"""Token merging: pure-function invariants."""

import torch

from alt.model.merge import match_tokens, merge_cap, merge_sum, merge_weighted, regions_from_source


def test_class_token_is_never_merged_and_stays_first():
    torch.manual_seed(0)
    x = torch.randn(3, 17, 8)
    x[:, 0] = x[:, 1]  # the class token is identical to a B token: still protected
    plan = match_tokens(x, r=5)
    assert not (plan.src_a == 0).any()
    assert (plan.keep_a[:, 0] == 0).all()


def test_merge_is_a_size_weighted_mean():
    x = torch.tensor([[[0.0], [1.0], [2.0], [3.0], [10.0]]])  # A = {0, 2, 10}, B = {1, 3}
    metric = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.1, 1.0], [1.0, 0.0], [0.0, 1.0]]])
    size = torch.tensor([[[1.0], [3.0], [1.0], [1.0], [1.0]]])
    plan = match_tokens(metric, r=1)
    merged, new_size = merge_weighted(x, size, plan)
    assert merged.shape == (1, 4, 1) and new_size.sum() == size.sum()
    # token 4 (value 10) matches token 1 (value 1, size 3) exactly: (10 + 3 * 1) / 4
    assert torch.isclose(merged[0, 2, 0], torch.tensor(13 / 4)) and new_size[0, 2, 0] == 4


def test_cap_limits_merges_to_half_the_mergeable_tokens():
    assert merge_cap(197) == 98 and merge_cap(2) == 0
    plan = match_tokens(torch.randn(2, 9, 4), r=100)
    assert plan.r == 4


def test_source_tracking_keeps_every_patch_in_one_region():
    torch.manual_seed(1)
    n = 33
    x = torch.randn(2, n, 16)
    source = torch.eye(n).expand(2, n, n)
    for _ in range(3):
        plan = match_tokens(x, 4)
        x = merge_sum(x, plan)
        source = merge_sum(source, plan)
    assert source.shape == (2, n - 12, n)
    assert torch.equal(source.sum(1), torch.ones(2, n))  # each original token in exactly one region
    ids = regions_from_source(source[:, 1:, 1:])
    assert ids.shape == (2, n - 1) and set(ids[0].tolist()) == set(range(n - 13))
