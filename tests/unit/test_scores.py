"""Region x entity score view: built from the aligner's own top-k cosines."""

import numpy as np

from visualizers import alignment_matrix, alignment_matrix_figure

CLASSES = ["running", "jumping", "swimming"]


def test_topk_first_column_is_the_picked_entity(tiny, frames):
    exp = tiny.explain(frames, CLASSES)
    assert exp.region_topk_ids.shape == (exp.num_frames, exp.num_regions, 5)
    assert np.array_equal(exp.region_topk_ids[..., 0], exp.region_entity_ids())
    assert np.allclose(exp.region_topk_scores[..., 0], exp.region_scores(), atol=1e-6)
    assert (np.diff(exp.region_topk_scores, axis=-1) <= 1e-6).all()  # best first


def test_matrix_holds_each_regions_picked_cosine(tiny, frames):
    exp = tiny.explain(frames, CLASSES)
    regions, cols, matrix = alignment_matrix(exp, 1, max_entities=50)
    picked, scores = exp.region_entity_ids()[1], exp.region_scores()[1]
    for i, reg in enumerate(regions):
        j = list(cols).index(picked[reg])
        assert np.isclose(matrix[i, j], scores[reg], atol=1e-6)
        assert np.nanmax(matrix[i]) <= scores[reg] + 1e-6  # nothing beats the pick
    fig = alignment_matrix_figure(exp, 1)
    assert fig.data[0].z.shape[0] == exp.num_regions


def test_topk_survives_json_round_trip(tiny, frames):
    from alt.explanation import Explanation

    exp = tiny.explain(frames, CLASSES)
    back = Explanation.from_json(exp.to_json())
    assert np.array_equal(back.region_topk_ids, exp.region_topk_ids)
