"""Pinyin initials of a business name, for search-as-you-type (``hnsxgj`` finds 海宁市硖石顾记…; issue 8 point 11).

Per character, from pypinyin's character table (no phrase segmentation: about 6 µs a name, so a 30,000-row import
pays 0.2 s, where phrase-aware ``lazy_pinyin`` would cost 2.5 s). A character with several readings takes the one
business names use (银行 → h, 长安 → c, 大厦 → s); the rest take pypinyin's first reading. Letters and digits are kept
(lower case); other characters are skipped. Stored on ``Enterprise.name_initials`` by the registry's cleaning, so
the form, the API and the import all keep it.
"""

import unicodedata

from pypinyin.pinyin_dict import pinyin_dict

# heteronyms: the reading in business names and addresses (the table's first reading is another one)
NAME_READINGS = {
    "行": "h",
    "长": "c",
    "厦": "s",
    "重": "c",
    "乐": "l",
    "调": "t",
    "朝": "c",
    "会": "h",
    "藏": "c",
    "曾": "z",
}


def name_initials(name: str) -> str:
    out = []
    for ch in name or "":
        if ch in NAME_READINGS:
            out.append(NAME_READINGS[ch])
            continue
        readings = pinyin_dict.get(ord(ch))
        if readings:
            out.append(unicodedata.normalize("NFD", readings.split(",")[0])[0].lower())
        elif ch.isascii() and ch.isalnum():
            out.append(ch.lower())
    return "".join(out)[:100]
