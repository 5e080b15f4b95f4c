"""Processes warm up when they start, so the first agent's search does not wait for the dictionary,
and the report charts find the CJK font even when matplotlib's font cache predates it."""

from hotline.warmup import warm_up


def test_a_started_worker_has_the_segmenter_loaded():
    import knowledge_base.segment as segment

    segment._ready = False  # a process that has not searched yet
    warm_up()
    assert segment._ready is True


def test_the_cjk_font_is_registered_even_if_the_font_cache_predates_it():
    from matplotlib import font_manager
    from matplotlib.font_manager import FontProperties, findfont

    from reports.svg import FONT, register_cjk_font

    kept = list(font_manager.fontManager.ttflist)
    try:
        # A font cache built before fonts-noto-cjk was installed: no CJK face in it.
        font_manager.fontManager.ttflist = [f for f in kept if "CJK" not in f.name]
        font_manager.fontManager._findfont_cached.cache_clear()
        assert "CJK" not in findfont(FontProperties(family=FONT[0]), fallback_to_default=True)
        added = register_cjk_font()
        assert added and all("NotoSansCJK" in path for path in added)
        font_manager.fontManager._findfont_cached.cache_clear()
        assert "NotoSansCJK" in findfont(FontProperties(family=FONT[0]), fallback_to_default=False)
        assert register_cjk_font() == []  # once is enough
    finally:
        font_manager.fontManager.ttflist = kept
        font_manager.fontManager._findfont_cached.cache_clear()
