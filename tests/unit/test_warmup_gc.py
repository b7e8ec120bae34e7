"""The warm-up's last step (issue 13, 14): what is alive after start-up is collected once and frozen."""

from __future__ import annotations

import gc

from conference.warmup import settle_garbage_collector


def test_settling_freezes_what_is_alive_and_a_full_collection_then_skips_it() -> None:
    kept = [[n] for n in range(50_000)]  # long-lived objects, as the app's are
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        seconds = settle_garbage_collector()
        assert seconds >= 0
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()
