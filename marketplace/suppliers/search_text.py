"""The words a supplier is found by: folded (case and accents), French-stemmed, no stop words.

Documents and queries go through the same function, so that "Entreprises de nettoyage"
finds "entreprise nettoie" whatever the database: SQLite's FTS5 has no French stemmer,
and PostgreSQL then only needs its 'simple' configuration.
"""

from functools import lru_cache

import snowballstemmer

from marketplace.geography.text import fold

STOP_WORDS = frozenset(
    "a au aux avec ce ces d dans de des du en et la le les l leur leurs ou par pour sa se ses son sur un une".split()
)
_stemmer = snowballstemmer.stemmer("french")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def terms(text: str) -> list[str]:
    """'Les Jardins de Cocagne' -> ['jardin', 'cocagn']."""
    return [stem(word) for word in fold(text).split() if word not in STOP_WORDS]


def document(*texts: str | None) -> str:
    return " ".join(term for text in texts if text for term in terms(text))
