"""双随机抽查: draw plans, the committed hrs-v1 draw, redraws — services (writes), selectors (reads), views,
forms, urls, api and the pure draw algorithm (algorithm.py, mirrored by tools/verify_draw.py)."""
