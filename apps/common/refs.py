"""Cross-app record references ("inspection-result:12") turned into a Chinese label and a link.

A higher app stores a reference to another app's record as a string (``RiskAssessment.source_ref``), without
importing it. The owning app registers a resolver for its prefix in ``AppConfig.ready()``:

    from apps.common import refs
    refs.register("inspection-result", resolve_results)   # fn(ids: list[int], actor) -> {id: {"label", "url"}}

and a page calls ``refs.resolve(["inspection-result:12", ...], actor=request.user)`` → ``{ref: {"label", "url"}}``
(one resolver call per prefix; ``url`` is empty when the actor may not open the record). A registered prefix whose
record the actor cannot see gets the kind's label and number, never the raw code; any other text (e.g. a case number
typed by a person) is its own label.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

_RESOLVERS: dict[str, tuple[str, Callable]] = {}


def register(prefix: str, resolver: Callable, *, label: str = "") -> None:
    """``label`` names the kind of record ("监督检查结果") for references that cannot be resolved."""
    _RESOLVERS[prefix] = (label, resolver)


def unregister(prefix: str) -> None:
    _RESOLVERS.pop(prefix, None)


def parse(ref: str) -> tuple[str, int] | None:
    prefix, _, raw = (ref or "").partition(":")
    try:
        return prefix, int(raw)
    except ValueError:
        return None


def resolve(refs: Iterable[str], *, actor) -> dict[str, dict]:
    wanted: dict[str, set[int]] = defaultdict(set)
    for ref in refs:
        parsed = parse(ref)
        if parsed:
            wanted[parsed[0]].add(parsed[1])
    out: dict[str, dict] = {}
    for prefix, ids in wanted.items():
        if prefix not in _RESOLVERS:
            continue
        kind, resolver = _RESOLVERS[prefix]
        found = resolver(sorted(ids), actor)
        for pk in ids:
            out[f"{prefix}:{pk}"] = found.get(pk) or {"label": f"{kind or '其他记录'}（编号 {pk}）", "url": ""}
    for ref in refs:
        out.setdefault(ref, {"label": ref, "url": ""})
    return out
