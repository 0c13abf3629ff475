"""Answer selection: which sentences inside the top passages answer the question.

No QA model is available, so a sentence is scored from cheap, measurable evidence:

* ``cos``  — cosine between the question and the sentence (vectors built at index time);
* ``lex``  — share of the question's IDF mass that the sentence (and, at half weight,
  its neighbours) contains, on stemmed terms;
* ``rank`` — how high its passage came in retrieval;
* ``cue``  — whether the sentence holds the kind of thing the question asks for:
  who → a name, how old → an age, how many → a number, when → a date, where → a place.

The weights are tuned on the tuning splits (see BENCHMARKS.md); abstention compares the
best evidence with a threshold calibrated on the seed eval set's off-topic questions.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.dedup import similar

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|billion|dozen|half"
)
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_CUES: dict[str, re.Pattern[str]] = {
    # a person's age: "Fousseynou Cissé, 39," (news apposition), "39 years old", "aged 39"
    "age": re.compile(
        r"\b[A-Z][\w’'-]+,\s+\d{1,3},|\baged?\s+\d{1,3}\b|"
        rf"\b(?:\d{{1,3}}|an?|{_NUMBER_WORDS})(?:[- ](?:and[- ]a[- ]half|\w+))?[- ](?:years?|months?|weeks?|days?)[- ]old\b",
        re.IGNORECASE,
    ),
    # a quantity, not a year ("how much did Edison offer" is not answered by "In 1885")
    "number": re.compile(
        rf"\b(?!(?:1[0-9]{{3}}|20[0-9]{{2}})\b)\d[\d,.]*\b|\b(?:{_NUMBER_WORDS})\b|%|\bper ?cent\b", re.IGNORECASE
    ),
    "date": re.compile(
        rf"\b(?:1[0-9]{{3}}|20[0-9]{{2}})s?\b|\b(?:{_MONTHS})\b|\b(?:{_DAYS})\b|\b(?:century|decade|"
        r"yesterday|today|ago|morning|evening|night)\b"
    ),
    "person": re.compile(
        r"\b(?!(?:The|A|An|In|On|At|It|He|She|They|We|This|That|His|Her|Their|After|Before|When|While|"
        r"If|But|And|For|From|With|By|As)\b)[A-Z][a-zà-ÿ’'-]+(?:\s+(?:[A-Z]\.|[A-Z][a-zà-ÿ’'-]+))+"
    ),
    # "in Paris", "at the Louvre"; or a spot: "on a ledge", "outside the window", "next to the door"
    "place": re.compile(
        r"\b(?:in|at|from|near|into|to)\s+(?:the\s+)?[A-Z][\w-]+|"
        r"\b(?:on|outside|inside|near|next to|behind|beside|beneath|under|above|onto|atop)\s+(?:a|an|the)\s+\w+"
    ),
}
_QUESTION_TYPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bhow old\b|\bwhat age\b|\bage of\b", re.I), "age"),
    (re.compile(r"\bhow (?:many|much|long|far|big|large|tall|often)\b|\bwhat (?:number|percent|percentage|amount)\b", re.I), "number"),
    (re.compile(r"\bwhen\b|\bwhat (?:year|date|day|time|month|century|decade)\b|\bwhich (?:year|day)\b", re.I), "date"),
    (re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:person|man|woman|people)\b|\bname\b", re.I), "person"),
    (re.compile(r"\bwhere\b|\bwhat (?:city|country|place|state|region)\b|\bwhich (?:city|country|place)\b", re.I), "place"),
]


# the answer to these must hold such a token (an age, a number, a date); names and places are fuzzier
_STRONG_KINDS = frozenset({"age", "number", "date"})

# words that say what kind of answer is wanted, not what it is about: no lexical evidence
_QUESTION_WORDS = re.compile(
    r"\b(?:who|whom|whose|what|which|when|where|why|how|old|age|many|much|long|far|year|date|day|time|"
    r"name|number|percent|percentage|amount|city|country|place)\b",
    re.I,
)


# irregular past forms → their base verb, so that "where was he standing?" meets "he stood" and
# "what did he see?" meets "saw" (the Snowball stemmer leaves these apart)
_IRREGULAR = {
    "stood": "stand", "understood": "understand", "saw": "see", "seen": "see", "went": "go", "gone": "go",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "made": "make", "said": "say",
    "told": "tell", "thought": "think", "found": "find", "got": "get", "came": "come", "began": "begin",
    "begun": "begin", "wrote": "write", "written": "write", "held": "hold", "kept": "keep", "led": "lead",
    "built": "build", "brought": "bring", "bought": "buy", "fought": "fight", "caught": "catch",
    "taught": "teach", "won": "win", "lost": "lose", "ran": "run", "sent": "send", "spent": "spend",
    "met": "meet", "paid": "pay", "sold": "sell", "grew": "grow", "grown": "grow", "knew": "know",
    "known": "know", "drew": "draw", "drawn": "draw", "fell": "fall", "fallen": "fall", "flew": "fly",
    "flown": "fly", "chose": "choose", "chosen": "choose", "spoke": "speak", "spoken": "speak",
    "broke": "break", "broken": "break", "drove": "drive", "driven": "drive", "rose": "rise", "risen": "rise",
    "threw": "throw", "thrown": "throw", "wore": "wear", "worn": "wear", "felt": "feel", "heard": "hear",
    "sat": "sit", "struck": "strike", "sought": "seek", "became": "become",
}
_base_stems: dict[str, str] | None = None


def base_stem(term: str) -> str:
    """A stemmed term, with irregular past forms mapped to the stem of their base verb."""
    global _base_stems, _analyzer
    if _base_stems is None:
        if _analyzer is None:
            from index.lexical import Analyzer

            _analyzer = Analyzer()
        stem = _analyzer._stemmer.stemWord
        _base_stems = {stem(k.strip()): stem(v) for k, v in _IRREGULAR.items()}
    return _base_stems.get(term, term)


def evidence_terms(question: str, analyzer_terms: Callable[[str], list[str]]) -> list[str]:
    """The question's stemmed terms without its question words."""
    return analyzer_terms(_QUESTION_WORDS.sub(" ", question))


# "who is Naomi?" asks what someone is, not for a name: no "person" cue
_DEFINITION = re.compile(r"^\s*who\s+(?:is|was|are|were)\s+(?:[A-Z]|the\s+[A-Z])", re.I)


def question_type(question: str) -> str | None:
    if _DEFINITION.search(question) and re.search(r"\b(?:is|was|are|were)\s+(?:the\s+)?[A-Z]", question):
        return None
    # the cue that comes first wins: "where was he standing when he helped them?" asks for a place
    found = [(m.start(), i, kind) for i, (pattern, kind) in enumerate(_QUESTION_TYPES) if (m := pattern.search(question))]
    return min(found)[2] if found else None


def cue_score(kind: str | None, sentence: str, question: str) -> float:
    """1.0 when the sentence holds something of the asked kind that the question does not already say."""
    if kind is None:
        return 0.0
    q = question.lower()
    for m in _CUES[kind].finditer(sentence):
        if m.group(0).lower().strip(" ,") not in q:
            return 1.0
    return 0.0


_NAME = re.compile(r"(?<!^)(?<![.?!]\s)\b[A-Z][\w’'-]*")
_analyzer = None


def unknown_entity_share(question: str, idf: Callable[[str], float]) -> float:
    """Share of the names in the question (capitalized words after the first) that no indexed
    text contains: "who wrote Pride and Prejudice?" over a news story → 1.0."""
    global _analyzer
    names = [m.group(0) for m in _NAME.finditer(question.strip())]
    if not names:
        return 0.0
    if _analyzer is None:
        from index.lexical import Analyzer

        _analyzer = Analyzer()
    terms = {t for n in names for t in _analyzer.terms(n)}
    if not terms:
        return 0.0
    never = idf("\uffff never indexed \uffff")  # the IDF of a term in no chunk
    return sum(1 for t in terms if idf(t) >= never - 1e-9) / len(terms)


@dataclass(frozen=True)
class QuoteParams:
    w_cos: float = 1.0
    w_lex: float = 1.0
    w_rank: float = 0.2
    w_cue: float = 0.15  # who/where question, sentence holds a name/place
    w_cue_strong: float = 0.5  # how old/how many/when question, sentence holds an age/number/date
    w_phrase: float = 0.6  # share of the question's adjacent term pairs that the sentence has adjacent too
    cue_miss: float = 0.15  # who/where question, sentence without a name/place: score × (1 − this)
    cue_miss_strong: float = 0.5  # how old/how many/when question, sentence without an age/number/date
    neighbour: float = 0.5  # weight of the previous sentence's terms in ``lex``
    next_share: float = 0.0  # the next sentence's terms count this share of ``neighbour``
    passages: int = 5  # how many top passages quotes are drawn from
    keep_ratio: float = 0.5  # a 2nd/3rd quote must score at least this share of the best
    abstain_below: float = 0.30  # evidence under this → the documents do not answer
    entity_miss: float = 0.2  # evidence − this × share of the question's names that the corpus never mentions


@dataclass(frozen=True)
class Candidate:
    sentence: int
    score: float
    cos: float
    lex: float
    evidence: float  # what abstention looks at (question-level: the same for every candidate)


def select(
    question: str,
    q_terms: list[str],
    passages: list[int],
    sentences_of: Callable[[int], range],
    text_of: Callable[[int], str],
    terms_of: Callable[[int], list[str]],
    cos_of: Callable[[int], float],
    idf: Callable[[str], float],
    params: QuoteParams,
) -> list[Candidate]:
    """Candidates from the top passages, best first (one entry per sentence)."""
    q_terms = [base_stem(t) for t in q_terms]
    weights = {t: idf(t) for t in set(q_terms)}  # q_terms: see ``evidence_terms``
    q_pairs = {(a, b) for a, b in zip(q_terms, q_terms[1:], strict=False) if a != b}
    total = sum(weights.values()) or 1.0
    kind = question_type(question)
    seen: dict[int, Candidate] = {}
    term_cache: dict[int, set[str]] = {}

    def terms(i: int) -> set[str]:
        if i not in term_cache:
            term_cache[i] = {base_stem(t) for t in terms_of(i)}
        return term_cache[i]

    for rank, chunk in enumerate(passages[: params.passages]):
        sents = sentences_of(chunk)
        rank_score = 1.0 / (1.0 + rank)
        for i in sents:
            if i in seen:
                continue
            own = terms(i)
            before = terms(i - 1) if i - 1 in sents else set()  # antecedents come first: "A caretaker…" → "Cissé, 39,"
            after = (terms(i + 1) if i + 1 in sents else set()) - before
            lex = sum(w for t, w in weights.items() if t in own)
            lex += params.neighbour * sum(w for t, w in weights.items() if t in before and t not in own)
            lex += params.neighbour * params.next_share * sum(w for t, w in weights.items() if t in after and t not in own)
            lex /= total
            cos = cos_of(i)
            cue = cue_score(kind, text_of(i), question)
            w_cue = params.w_cue_strong if kind in _STRONG_KINDS else params.w_cue
            score = params.w_cos * cos + params.w_lex * lex + params.w_rank * rank_score + w_cue * cue
            if params.w_phrase and q_pairs:
                seq = [base_stem(t) for t in terms_of(i)]
                pairs = set(zip(seq, seq[1:], strict=False))
                score += params.w_phrase * len(q_pairs & pairs) / len(q_pairs)
            if kind is not None and cue == 0.0:
                score *= 1.0 - (params.cue_miss_strong if kind in _STRONG_KINDS else params.cue_miss)
            seen[i] = Candidate(i, score, cos, lex, 0.0)
    if not seen:
        return []
    evidence = (
        max(c.cos for c in seen.values())
        + 0.5 * max(c.lex for c in seen.values())
        - params.entity_miss * unknown_entity_share(question, idf)
    )
    return sorted(
        (Candidate(c.sentence, c.score, c.cos, c.lex, evidence) for c in seen.values()), key=lambda c: -c.score
    )


def pick(candidates: list[Candidate], text_of: Callable[[int], str], limit: int, keep_ratio: float) -> list[Candidate]:
    """Up to ``limit`` quotes, best first, none repeating another."""
    chosen: list[Candidate] = []
    for cand in candidates:
        if len(chosen) >= limit:
            break
        if chosen and cand.score < keep_ratio * chosen[0].score:
            break
        text = text_of(cand.sentence)
        if any(similar(text, text_of(c.sentence)) for c in chosen):
            continue
        chosen.append(cand)
    return chosen
