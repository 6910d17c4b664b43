"""Ranking procedures from how citizens name them.

BM25 over three kinds of features of the folded, abbreviation-expanded text: syllables, syllable
bigrams (compounds such as "khai sinh", "ho chieu") and character trigrams (typos: "khai snh").
Aliases citizens use are indexed with the official name. It runs the same on SQLite and
PostgreSQL, and the index is small (a few MB for the full national catalogue), so it lives in
memory and is rebuilt when the catalogue version changes.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Container, Iterable
from dataclasses import dataclass
from itertools import pairwise

from connectors.text import expand_query, stopwords, words

# A level suffix is part of the official name but never of what citizens type.
_LEVEL_SUFFIX = re.compile(r"\((?:thực hiện )?tại cấp [^)]*\)|\(cấp [^)]*\)", re.IGNORECASE)
_NAME_PREFIX = re.compile(r"^\s*thủ tục\s+", re.IGNORECASE)

WEIGHTS = {"w": 1.0, "b": 1.6, "t": 0.25}
# Popularity (0-10) only breaks near-ties: at 10 it adds 10 %, never overruling what was typed.
POPULARITY_WEIGHT = 0.01
COVERAGE_WEIGHT = 4.0
RERANK_DEPTH = 50
ALIAS_COVERAGE = 0.6
# a common word ("thẻ" folds like "thế") stays a content word beside a neighbour it forms a
# catalogue phrase with in at least this many names
BIGRAM_MIN = 2
K1, B = 1.2, 0.75


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    popularity: int = 0
    same_as: str | None = None  # a twin (the same procedure at another level) answers as this


@dataclass(frozen=True)
class Hit:
    code: str
    score: float
    # words of the longest name or alias that the query contains whole (0: none). Lets the caller
    # tell "đăng ký khai sinh ..." (names the procedure) from a query that only resembles it.
    match_len: int = 0


def clean_name(name: str) -> str:
    return _NAME_PREFIX.sub("", _LEVEL_SUFFIX.sub("", name)).strip()


def features(
    text: str, *, drop_stopwords: bool, vocabulary: Container[str] | None = None
) -> Counter[str]:
    """Syllables, syllable bigrams and character trigrams of ``text``.

    With a ``vocabulary`` (a query against an index), trigrams are only made for syllables the
    index has never seen: they exist to rescue typos, and for known words they are slow noise.
    """
    ws = words(text)
    if drop_stopwords:
        stop = stopwords()
        kept = [w for w in ws if w not in stop]
        ws = kept or ws
    feats: Counter[str] = Counter()
    for w in ws:
        feats["w:" + w] += 1
        if vocabulary is not None and "w:" + w in vocabulary:
            continue
        padded = f"#{w}#"
        for i in range(len(padded) - 2):
            feats["t:" + padded[i : i + 3]] += 1
    for a, b in pairwise(ws):
        feats[f"b:{a} {b}"] += 1
    return feats


class SearchIndex:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self._entries: list[Entry] = []
        self._names: list[list[frozenset[str]]] = []
        self._lengths: list[int] = []
        for doc_id, entry in enumerate(entries):
            # aliases count twice: they are exactly how citizens say it
            text = " . ".join([clean_name(entry.name), *entry.aliases, *entry.aliases])
            feats = features(text, drop_stopwords=False)
            self._entries.append(entry)
            self._names.append(
                [frozenset(words(n)) for n in (clean_name(entry.name), *entry.aliases) if words(n)]
            )
            self._lengths.append(sum(feats.values()))
            for feat, tf in feats.items():
                self._postings[feat].append((doc_id, tf))
        n = max(len(self._entries), 1)
        self._n = n
        self._avg_len = sum(self._lengths) / n if self._lengths else 1.0
        by_code = {e.code: i for i, e in enumerate(self._entries)}
        self._by_code = by_code
        # twins answer as their head (links followed to the end), so one procedure is never
        # offered twice
        self._head = []
        for i in range(len(self._entries)):
            head, seen = i, {i}
            while (link := self._entries[head].same_as) in by_code and by_code[link] not in seen:
                head = by_code[link]
                seen.add(head)
            self._head.append(head)
        self._vocab: dict[int, set[str]] = defaultdict(set)
        self._group_names: dict[int, list[frozenset[str]]] = defaultdict(list)
        for doc_id, names in enumerate(self._names):
            for name in names:
                self._vocab[self._head[doc_id]].update(name)
                self._group_names[self._head[doc_id]].append(name)
        self._deletes: dict[str, set[str]] = defaultdict(set)
        for feat in self._postings:
            if feat.startswith("w:") and len(feat) >= 5:
                word = feat[2:]
                for i in range(len(word)):
                    self._deletes[word[:i] + word[i + 1:]].add(word)
        self._idf = {
            f: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for f, p in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self._entries)

    def search(self, query: str, limit: int = 5) -> list[Hit]:
        q = features(expand_query(query), drop_stopwords=True, vocabulary=self._postings)
        scores: dict[int, float] = defaultdict(float)
        for feat, qtf in q.items():
            postings = self._postings.get(feat)
            if not postings:
                continue
            weight = WEIGHTS[feat[0]] * self._idf[feat] * min(qtf, 2)
            for doc_id, tf in postings:
                norm = K1 * (1 - B + B * self._lengths[doc_id] / self._avg_len)
                scores[doc_id] += weight * tf * (K1 + 1) / (tf + norm)
        if not scores:
            return []
        query_words = frozenset(words(expand_query(query)))
        # rerank the best BM25 candidates by how much of their own name the query covers
        # (idf-weighted): "tạm ngừng kinh doanh hộ cá thể" covers all of "tạm ngừng kinh doanh
        # của hộ kinh doanh" but only part of "đăng ký thành lập hộ kinh doanh"
        candidates = sorted(scores.items(), key=lambda kv: -kv[1])[:RERANK_DEPTH]
        ranked = []
        for doc_id, score in candidates:
            coverage = self._coverage(doc_id, query_words)
            boost = 1 + POPULARITY_WEIGHT * self._entries[doc_id].popularity
            ranked.append((doc_id, score * (1 + COVERAGE_WEIGHT * coverage) * boost))
        ranked.sort(key=lambda kv: (-kv[1], kv[0]))
        original_words = frozenset(words(query))
        hits: dict[int, Hit] = {}
        for doc_id, score in ranked:
            head = self._head[doc_id]
            if head in hits:
                continue
            hits[head] = Hit(
                self._entries[head].code, round(score, 3), self._match_len(doc_id, original_words)
            )
            if len(hits) == limit:
                break
        return list(hits.values())

    def _coverage(self, doc_id: int, query_words: frozenset[str]) -> float:
        """Share (idf-weighted) of the official name the query covers; an alias counts less,
        since a short alias ("thành lập công ty") is covered by queries about its siblings."""
        best = 0.0
        for i, name in enumerate(self._names[doc_id]):
            total = sum(self._idf.get("w:" + w, 0.0) for w in name)
            if total:
                covered = sum(self._idf.get("w:" + w, 0.0) for w in name if w in query_words)
                best = max(best, covered / total * (1.0 if i == 0 else ALIAS_COVERAGE))
        return best

    def word_idf(self, word: str) -> float:
        """How telling a word is; a word the catalogue never uses is the most telling of all."""
        return self._idf.get("w:" + word, math.log(1 + (self._n + 0.5) / 0.5))

    def known(self, word: str) -> str | None:
        """The catalogue's spelling of ``word``, forgiving one typo in words of 4+ letters."""
        if "w:" + word in self._postings:
            return word
        if len(word) < 3:
            return None
        candidates = set(self._deletes.get(word, ()))  # a letter too many... or too few:
        for i in range(len(word)):
            candidates |= self._deletes.get(word[:i] + word[i + 1:], set())
            if "w:" + word[:i] + word[i + 1:] in self._postings:
                candidates.add(word[:i] + word[i + 1:])
        return min(candidates, key=lambda w: (-len(self._postings["w:" + w]), w), default=None)

    def vocabulary(self, code: str) -> frozenset[str]:
        """Words of the names and aliases of a procedure and its twins."""
        doc_id = self._by_code.get(code)
        if doc_id is None:
            return frozenset()
        return frozenset(self._vocab.get(self._head[doc_id], ()))

    def name_coverage(
        self, code: str, query_words: frozenset[str], cap: float, ignore: frozenset[str]
    ) -> float:
        """The largest share (weighted by how telling each word is) of one of the procedure's
        names or aliases that the query contains; ``ignore``d words count for nothing."""
        doc_id = self._by_code.get(code)
        if doc_id is None:
            return 0.0
        best = 0.0
        for name in self._group_names[self._head[doc_id]]:
            telling = [w for w in name if w not in ignore]
            total = sum(min(self.word_idf(w), cap) for w in telling)
            if total:
                covered = sum(min(self.word_idf(w), cap) for w in telling if w in query_words)
                best = max(best, covered / total)
        return best

    def known_bigram(self, a: str, b: str) -> bool:
        """Do catalogue names (and aliases) use "a b" as one phrase, often enough to matter?"""
        postings = self._postings.get(f"b:{a} {b}")
        return postings is not None and len(postings) >= BIGRAM_MIN

    def head(self, code: str) -> str:
        """The code that answers for ``code`` (itself, unless it is a twin)."""
        doc_id = self._by_code.get(code)
        return code if doc_id is None else self._entries[self._head[doc_id]].code

    def _match_len(self, doc_id: int, query_words: frozenset[str]) -> int:
        return max((len(n) for n in self._names[doc_id] if n <= query_words), default=0)
