"""What a buyer's words mean: the sectors they name (by the sectors' own words, their
synonyms, plurals and small typos), so that a search for *ménage* around Marseille looks
for suppliers whose cleaning activity serves Marseille, not for any supplier of
Marseille that mentions cleaning somewhere.

The words of each sector are data (data/sector_words.json). Matching folds case and
accents, reduces words to their French stem (plurals), reads phrases longest first
(*entretien des locaux*), and reads a longer word one or two letters away from a
sector word as that word (*netoyage*, *trateur*), with RapidFuzz's edit distance.
It runs in Python on a few hundred words, the same on SQLite and PostgreSQL.
"""

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from marketplace.geography.text import fold

WORDS_FILE = Path(__file__).parent / "data" / "sector_words.json"
LONGEST_PHRASE = 6
# Words that join others and mean nothing alone: dropped once a sector is named.
JOINING = {"de", "des", "du", "d", "la", "le", "les", "l", "et", "a", "au", "aux", "en", "pour", "sur", "un", "une"}
_stemmer = snowballstemmer.stemmer("french")


@dataclass(frozen=True)
class Understood:
    """The sectors a query names, the words left for the full-text search, the typos
    read as sector words ((typed, read as)), and the whole query as read (typos mended)."""

    sectors: tuple[str, ...] = ()
    rest: str = ""
    corrected: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    read: str = ""


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    """A word's stem, remembered: the same few thousand words come back in every
    search and pitch, and Snowball costs tens of microseconds a word."""
    return _stemmer.stemWord(word)


def _stems(words: list[str]) -> tuple[str, ...]:
    return tuple(_stem(word) for word in words)


@cache
def _phrases() -> dict[tuple[str, ...], frozenset[str]]:
    """Each sector word or phrase, folded and stemmed, with the sectors it names."""
    named: dict[tuple[str, ...], set[str]] = {}
    for slug, words in json.loads(WORDS_FILE.read_text(encoding="utf-8")).items():
        if slug.startswith("_"):
            continue
        for phrase in [slug.replace("-", " "), *words]:
            key = _stems(fold(phrase).split())
            if key:
                named.setdefault(key, set()).add(slug)
    return {key: frozenset(slugs) for key, slugs in named.items()}


@cache
def _single_words() -> dict[str, frozenset[str]]:
    """The one-word sector words as written (folded, not stemmed), for typo reading."""
    words: dict[str, set[str]] = {}
    for slug, entries in json.loads(WORDS_FILE.read_text(encoding="utf-8")).items():
        for entry in [] if slug.startswith("_") else entries:
            folded = fold(entry)
            if " " not in folded and len(folded) >= 5:
                words.setdefault(folded, set()).add(slug)
    return {word: frozenset(slugs) for word, slugs in words.items()}


@cache
def _single_word_list() -> list[str]:
    return list(_single_words())


@lru_cache(maxsize=100_000)
def _typo_of(word: str) -> str | None:
    """The sector word `word` is a typo of: one letter off for words of 5 to 7 letters,
    two for longer ones; shorter words are never read as another."""
    if len(word) < 5 or word.isdigit():
        return None
    allowed = 1 if len(word) <= 7 else 2
    best = process.extractOne(word, _single_word_list(), scorer=Levenshtein.distance, score_cutoff=allowed)
    return best[0] if best else None


def understand(query: str | None) -> Understood:
    """The sectors `query` names, and what is left of it."""
    words = fold(query or "").split()
    stems = _stems(words)
    phrases = _phrases()
    sectors: set[str] = set()
    rest: list[str] = []
    corrected: list[tuple[str, str]] = []
    position = 0
    while position < len(words):
        for length in range(min(LONGEST_PHRASE, len(words) - position), 0, -1):
            named = phrases.get(stems[position:position + length])
            if named:
                sectors |= named
                position += length
                break
        else:
            word = words[position]
            meant = _typo_of(word)
            if meant is not None:
                sectors |= _single_words()[meant]
                corrected.append((word, meant))
            else:
                rest.append(word)
            position += 1
    if sectors:
        rest = [word for word in rest if word not in JOINING]
    mended = dict(corrected)
    read = " ".join(mended.get(word, word) for word in words)
    return Understood(tuple(sorted(sectors)), " ".join(rest), tuple(corrected), read)
