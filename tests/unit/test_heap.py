"""alt.heap: the app exempts its long-lived objects (imports, weights) from the garbage collector's walks."""

import gc

from alt.heap import freeze_long_lived


def test_freeze_exempts_living_objects_and_later_garbage_is_still_collected():
    try:
        assert freeze_long_lived() == gc.get_freeze_count() > 1000
        cycle = []
        cycle.append(cycle)  # garbage made after the freeze: an unreachable reference cycle
        del cycle
        assert gc.collect() >= 1  # still found and freed
    finally:
        gc.unfreeze()
