"""Which procedure a message means, how sure that is, and what it asks about it.

One answer per message, from the whole message (not only from an NLU entity):

- ``confident``: a procedure explains the message well and clearly beats the others; a detail of
  the message may pick another member of its family ("mất hộ chiếu" -> reporting the loss).
- ``weak``: something matches, not clearly; the caller keeps its focus or offers ``candidates``.
- ``none``: the message names no procedure at all ("phí bao nhiêu?"), or nothing beyond the one in
  focus ("bao lâu thì có giấy phép"): the caller's focus answers.
- ``menu``: a vague request ("làm giấy tờ cho con"): ``candidates`` are the choices to offer.
- ``no_fit``: the message is about something no procedure of the catalogue explains; the caller
  says so honestly instead of answering with the nearest procedure.

"How well a procedure explains a message" is the share (weighted by how telling each word is) of
the message's content words (not its aspect cues, stopwords or words about the citizen's
situation) that the procedure's names and aliases contain, forgiving one typo per word. It means
the same for every message, so the floors below can be chosen on data (scripts/bench_search.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from connectors.lexicon import Concept, concepts, context_words, papers, people, stopwords
from connectors.procedures.reading import Reading, contains_phrase, read
from connectors.procedures.search import Hit, SearchIndex
from connectors.procedures.variants import Variants
from connectors.text import expand_query, words

# Chosen on the dev sets (benchmarks/search_dev*.yml; see reports/search/README.md).
NO_FIT_BELOW = 0.70  # under this confidence, no procedure fits
CONFIDENT_FROM = 0.70  # a procedure this well matched ...
# A follow-up whose content words the procedure in focus explains this well stays on it ("bao lâu
# thì có sổ mới" after a lost land-use certificate): the paper it names is the focus's own.
FOCUS_EXPLAINS = 0.5
CLEAR_LEAD = 1.25  # ... and scoring this far ahead of the next family, is taken without asking
# With a procedure in focus, a message of this many content words or fewer that names no other
# procedure stays on the focus ("đăng ký được tối đa bao lâu" about temporary residence is not a
# death registration because both are "đăng ký").
FEW_WORDS = 2
# ... and one that asks an aspect in this many words that fit nothing ("bao lâu có giấy phép")
ASPECT_WORDS = 3
HALF_A_NAME = 0.6  # ... unless it holds this much of another procedure's name ("nhập khẩu")
# ... and a detail that picks the focus in its own family ("mất" for the loss report in focus)
# keeps it, unless another procedure explains the message at least this well.
LEAVE_A_FITTING_FOCUS = 0.85
NAMED_WORDS = 2  # or whose name/alias of at least this many words the message contains whole
MIN_EVIDENCE = 2  # one word ("lấy", "đổi") is never enough to switch to a procedure
MAX_CANDIDATES = 5
DEPTH = 8
# A word the catalogue never uses tells as much as its rarest words, no more: a café's name must
# not outweigh "đăng ký hộ kinh doanh".
MAX_WEIGHT = 6.0
# Candidates are ordered by how much of the message they explain, the search score breaking ties.
SCORE_SHARE = 0.15


@dataclass(frozen=True)
class Choice:
    code: str
    score: float
    coverage: float  # share of the message the procedure explains
    named: int  # words of a name or alias the message contains whole
    name_coverage: float = 0.0  # share of one of its names the message contains

    @property
    def confidence(self) -> float:
        """Both ways at once: what the message says that the procedure explains, and what the
        procedure's name says that the message contains."""
        return (self.coverage + self.name_coverage) / 2


@dataclass
class Resolution:
    decision: str
    procedure: Choice | None
    reason: str
    candidates: list[Choice] = field(default_factory=list)
    reading: Reading | None = None
    menu: str | None = None


def content_words(reading: Reading, index: SearchIndex | None = None) -> list[str]:
    """The words about a procedure: not cues, stopwords, words about the citizen or numbers.
    A common word that forms a catalogue compound with its neighbour stays ("căn" of "căn
    cước" folds like "cần"; "con" of "con nuôi")."""
    ignore = stopwords() | context_words()
    ws = reading.words

    def meaningful(j: int) -> bool:
        return 0 <= j < len(ws) and j not in reading.cue_positions and ws[j] not in ignore

    def compound(i: int) -> bool:
        """With a neighbour that carries meaning itself, in a phrase the catalogue uses."""
        return index is not None and (
            (meaningful(i - 1) and index.known_bigram(ws[i - 1], ws[i]))
            or (meaningful(i + 1) and index.known_bigram(ws[i], ws[i + 1]))
        )

    return [
        w for i, w in enumerate(ws)
        if i not in reading.cue_positions and not w.isdigit() and len(w) > 1
        and (w not in ignore or compound(i))
    ]


def _masked(reading: Reading, also: set[int] | frozenset[int] = frozenset()) -> tuple[str, ...]:
    """The message's words with its aspect cues (and ``also``) blanked out."""
    return tuple(
        "_" if i in reading.cue_positions or i in also else w
        for i, w in enumerate(reading.words)
    )


def names_a_paper(reading: Reading, focus_words: frozenset[str] = frozenset()) -> bool:
    """Does the message name a paper other than the focus's own ("thẻ" of the ID card in focus
    is the same topic; "giấy phép lao động" is not)?"""
    masked = _masked(reading)
    ignore = stopwords() | context_words()
    for paper in papers():
        cue = tuple(paper.split())
        n = len(cue)
        for i in range(len(masked) - n + 1):
            if masked[i:i + n] != cue:
                continue
            # the word after the paper says which one it is ("giấy phép lao động")
            which = masked[i + n] if i + n < len(masked) else "_"
            own = set(cue) <= focus_words and (
                which == "_" or which in ignore or which in focus_words
            )
            if not own:
                return True
    return False


def coverage(index: SearchIndex, code: str, content: Sequence[str], reading: Reading) -> float:
    """Share of the message's content words that the procedure's names and aliases explain."""
    if not content:
        return 0.0
    vocab = index.vocabulary(code)
    # an everyday phrase counts as explained when its official wording is the procedure's
    explained: set[str] = set()
    for concept in applicable_concepts(reading.words):
        if set(concept.official.split()) <= vocab:
            explained.update(concept.phrase.split())
    total = covered = 0.0
    for word in content:
        spelled = index.known(word)
        weight = min(index.word_idf(spelled or word), MAX_WEIGHT)
        total += weight
        if word in vocab or word in explained or (spelled is not None and spelled in vocab):
            covered += weight
    return covered / total if total else 0.0


def resolve(
    index: SearchIndex,
    variants: Variants,
    text: str,
    *,
    focus: str | None = None,
    exists: Callable[[str], bool] = lambda _code: True,
) -> Resolution:
    reading = read(text)
    content = content_words(reading, index)
    menu = variants.menu_for(reading.words)
    hits = index.search(text, DEPTH) if content else []
    query_words = _query_words(index, reading)
    choices = [
        Choice(h.code, h.score, coverage(index, h.code, content, reading), h.match_len,
               index.name_coverage(h.code, query_words, MAX_WEIGHT,
                                   stopwords() | context_words()))
        for h in hits
    ]
    best = max((c.score for c in choices), default=0.0) or 1.0
    choices.sort(key=lambda c: -(c.confidence + SCORE_SHARE * c.score / best))
    if menu is not None and not _named(choices):
        codes = [c for c in menu.codes if exists(c)]
        return Resolution("menu", None, f"menu {menu.name}",
                          [Choice(c, 0.0, 0.0, 0) for c in codes], reading, menu.name)
    if not choices:
        return _from_focus(index, variants, reading, focus) or _focus_explains(
            index, reading, content, focus) or Resolution(
            "none" if not content else "no_fit", None,
            "no procedure words" if not content else "nothing matches", [], reading,
        )
    top = choices[0]
    if top.confidence < NO_FIT_BELOW:
        return _from_focus(index, variants, reading, focus) or _focus_explains(
            index, reading, content, focus
        ) or _asks_the_focus(reading, content, focus, top) or Resolution(
            "no_fit", None, f"best match {top.confidence:.2f}", choices[:3], reading,
        )
    runner_up = _next_family(variants, choices)
    lead = top.score / runner_up.score if runner_up and runner_up.score else float("inf")
    evidence = sum(1 for w in content if w in index.vocabulary(top.code))
    confident = top.confidence >= CONFIDENT_FROM and evidence >= MIN_EVIDENCE and (
        lead >= CLEAR_LEAD or top.named >= NAMED_WORDS
    )
    focus_family = variants.family_of(focus) if focus is not None else None
    sibling = _from_focus(index, variants, reading, focus)
    if sibling is not None and not (confident and (
        top.named >= NAMED_WORDS or variants.family_of(top.code) is not focus_family
    )):
        # "còn nếu bị mất thì sao" about the passport in focus: its sibling, unless the message
        # names another procedure outright
        return sibling
    if focus is not None and top.code != focus and (
        focus_family is None or variants.family_of(top.code) is not focus_family
    ):
        stay = _stays_on_focus(index, variants, reading, content, focus, top)
        if stay is not None:
            return stay
    chosen, why = _variant(variants, reading, top)
    chosen_choice = Choice(chosen, top.score, top.coverage, top.named, top.name_coverage)
    others = _distinct([c for c in choices if c.code != chosen], chosen)
    detail = f"match {top.confidence:.2f}, lead {lead:.2f}"
    family = variants.family_of(top.code)
    if family is not None and family.ask_when_vague and why.endswith(": default"):
        # "bằng lái B2": nothing says which licence procedure. With one of them in focus, the
        # focus answers; else the family's members are the choices, as for a vague request
        if focus is not None and focus in family.codes:
            return Resolution("none", None, f"{family.name}: vague, the focus", [], reading)
        offered = [Choice(c, top.score, top.coverage, top.named, top.name_coverage)
                   for c in family.ask_when_vague if exists(c)]
        if offered:
            return Resolution("menu", None, f"{detail}, {family.name}: vague", offered, reading,
                              family.name)
    if confident:
        return Resolution("confident", chosen_choice, f"{detail}, {why}", others, reading)
    return Resolution("weak", chosen_choice, detail,
                      _distinct([chosen_choice, *others], None), reading)


def _query_words(index: SearchIndex, reading: Reading) -> frozenset[str]:
    """The message's words (not those about the citizen's own situation: "tạm trú" of "em đang
    tạm trú ở đây" names no procedure), its everyday concepts in official wording, typos
    spelled right."""
    kept = " ".join(
        w for i, w in enumerate(reading.words) if i not in reading.situation_positions
    )
    ws = set(words(expand_query(kept)))
    return frozenset(ws | {k for w in ws if (k := index.known(w))})


def _named(choices: list[Choice]) -> bool:
    return any(c.named >= NAMED_WORDS and c.confidence >= CONFIDENT_FROM for c in choices[:1])


def _next_family(variants: Variants, choices: list[Choice]) -> Choice | None:
    """The best choice outside the top one's family (siblings are resolved by cues, not asked)."""
    family = variants.family_of(choices[0].code)
    for c in choices[1:]:
        if family is None or c.code not in family.codes:
            return c
    return None


# words after which "hông" asks (yes/no), folded
_ASKS_BEFORE = frozenset({"duoc", "co", "chua", "phai", "dung", "khong", "nhe", "vay", "ha", "roi"})


def cue_words(reading: Reading) -> tuple[str, ...]:
    """The words variant cues are looked for in: aspect cues masked ("mất bao lâu" is about
    time, not a loss), everyday concepts expanded ("người Hàn" -> "yếu tố nước ngoài")."""
    ws = reading.words
    dead = {i for i, w in enumerate(ws) if w == "mat" and (
        (i > 0 and ws[i - 1] in people()) or (i > 1 and ws[i - 1] == "da" and ws[i - 2] in people())
    )}
    # "làm lại căn cước được hông": the southern "không" that closes a question, not "hỏng"
    dead |= {i for i, w in enumerate(ws) if w == "hong" and i > 0 and ws[i - 1] in _ASKS_BEFORE}
    masked = _masked(reading, dead)
    extra = [c.official for c in applicable_concepts(masked)]
    return masked + tuple(w for phrase in extra for w in ("_", *phrase.split()))


def applicable_concepts(ws: tuple[str, ...]) -> list[Concept]:
    return [
        c for c in concepts()
        if contains_phrase(ws, c.phrase) and not any(contains_phrase(ws, u) for u in c.unless)
    ]


def _variant(variants: Variants, reading: Reading, top: Choice | Hit) -> tuple[str, str]:
    family = variants.family_of(top.code)
    if family is None:
        return top.code, "no family"
    code, why = family.pick(cue_words(reading), reading.ages, top.code)
    return code, f"{family.name}: {why}"


def _from_focus(
    index: SearchIndex, variants: Variants, reading: Reading, focus: str | None
) -> Resolution | None:
    """"Còn nếu bị mất thì sao?" about the passport in focus: reporting the loss. Not when the
    message names another paper: "giấy phép lao động cho người nước ngoài" after a birth
    registration is a new topic, not its foreign-element sibling."""
    if focus is None or names_a_paper(reading, index.vocabulary(focus)):
        return None
    family = variants.family_of(focus)
    if family is None:
        return None
    code, why = family.pick(cue_words(reading), reading.ages, focus)
    if why == "default" or code == focus:
        return None
    return Resolution("confident", Choice(code, 0.0, 1.0, 0), f"{family.name}: {why} (focus)",
                      [], reading)


def _stays_on_focus(
    index: SearchIndex, variants: Variants, reading: Reading, content: list[str], focus: str,
    top: Choice,
) -> Resolution | None:
    """A short follow-up that names nothing else, or a detail that fits the focus itself, is
    about the procedure in focus, whatever a word of it matches elsewhere."""
    if top.named < NAMED_WORDS and len(content) <= FEW_WORDS and (
        top.name_coverage < HALF_A_NAME
        or coverage(index, focus, content, reading) >= top.coverage / 2
    ):
        return Resolution("none", None, f"{len(content)} content words, nothing named", [],
                          reading)
    family = variants.family_of(focus)
    if family is not None and top.confidence < LEAVE_A_FITTING_FOCUS and top.named <= NAMED_WORDS:
        code, why = family.pick(cue_words(reading), reading.ages, focus)
        if code == focus and why != "default":
            return Resolution("none", None, f"{family.name}: {why} fits the focus", [], reading)
    return None


def _asks_the_focus(
    reading: Reading, content: list[str], focus: str | None, top: Choice
) -> Resolution | None:
    """"phí bao nhiêu, bao lâu có giấy phép" after a company registration: an aspect of the
    focus, in a few words that fit nothing else (the paper is the one the citizen expects)."""
    if focus is None or not reading.aspects or len(content) > ASPECT_WORDS:
        return None
    if top.named >= NAMED_WORDS:
        return None
    return Resolution("none", None, "an aspect asked in a few words: the focus", [], reading)


def _focus_explains(
    index: SearchIndex, reading: Reading, content: list[str], focus: str | None
) -> Resolution | None:
    """Nothing fits the message on its own, but the procedure in focus explains its words: a
    follow-up about it ("bao lâu thì có giấy phép"), not a new topic."""
    if focus is None or not content:
        return None
    share = coverage(index, focus, content, reading)
    if share < FOCUS_EXPLAINS:
        return None
    return Resolution("none", None, f"the focus explains {share:.2f}", [], reading)


def _distinct(choices: list[Choice], chosen: str | None) -> list[Choice]:
    seen = {chosen} if chosen else set()
    out = []
    for c in choices:
        if c.code in seen:
            continue
        seen.add(c.code)
        out.append(c)
    return out[:MAX_CANDIDATES]

