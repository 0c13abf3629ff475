"""What a question asks for, and whether a sentence holds it.

* ``question_type`` — who → a name, how old → an age, how many → a number, when → a date,
  where → a place (in docs also a file, a path, the terminal: ``DOCS_PLACE``), which function / option /
  setting → an identifier (the first wh-word decides);
* ``cue_score`` — 1.0 when a sentence holds something of that kind the question does not already say;
* ``base_stem`` / ``evidence_terms`` — the stemmed terms that count as lexical evidence;
* ``unknown_entity_share`` — how many of the question's names the indexed text never mentions;
* ``is_question`` — a question ("who praised him?") rather than a statement or keywords.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|billion|dozen|half"
)
_MONTHS = r"January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# where things are in software docs: the terminal or a log, a file or folder, a path, a URL, a variable
DOCS_PLACE = (
    r"(?i:\b(?:command[- ]line|terminal|console|shell|stdout|stderr|log file|"
    r"(?:home|working|current|config(?:uration)?|project|root) (?:directory|folder)|environment variable)\b)|"
    r"(?:~|\$\w+|\.{1,2}|(?<![\w/]))/[\w.-]+(?:/[\w.-]*)*|\b[\w.-]+(?:/[\w.-]+){2,}|"  # /etc/x, ~/.netrc, a/b/c; not and/or
    r"\b[\w-]+\.(?:py|cfg|toml|ini|json|ya?ml|txt|conf|env|log)\b|"
    r"(?<!\w)\.[a-z]\w+rc\b|https?://"
)
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
        r"\b(?:on|outside|inside|near|next to|behind|beside|beneath|under|above|onto|atop)\s+(?:a|an|the)\s+\w+|"
        + DOCS_PLACE
    ),
    # a name in code: `a_setting`, ``ClassName``, module.attr, func(), CONSTANT_NAME, --flag
    "identifier": re.compile(
        r"`[^`\s]+`|\b[a-z]\w*_\w+\b|\b[A-Z][a-z]+[A-Z]\w*\b|\b[A-Za-z_]\w*\.[A-Za-z_]\w*\b|\b\w+\(\)|"
        r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]+\b|(?<!\w)--?[a-z][\w-]+"
    ),
}
# which function / option / setting …: the things whose answer is a name in code
_IDENTIFIER_ASK = (  # not type, class, field, key, object: "what type of rock" asks for a kind, not a name
    r"(?:function|method|option|setting|argument|parameter|param|arg|kwarg|keyword argument|exception|error|"
    r"property|attribute|converter|extension|module|env var|environment variable|flag|header|hook|decorator|"
    r"callback|config key|helper|middleware|backend|adapter|loader|reloader)s?"
)
_QUESTION_TYPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bhow old\b|\bwhat age\b|\bage of\b", re.I), "age"),
    (re.compile(r"\bhow (?:many|much|long|far|big|large|tall|often)\b|\bwhat (?:number|percent|percentage|amount)\b", re.I), "number"),
    (re.compile(r"\bwhen\b|\bwhat (?:year|date|day|time|month|century|decade)\b|\bwhich (?:year|day)\b", re.I), "date"),
    (re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:person|man|woman|people)\b|\bname\b", re.I), "person"),
    (re.compile(r"\bwhere\b|\bwhat (?:city|country|place|state|region)\b|\bwhich (?:city|country|place)\b", re.I), "place"),
    (re.compile(rf"\b(?:which|what) (?:\w+ )?{_IDENTIFIER_ASK}\b", re.I), "identifier"),
]


# the answer to these must hold such a token (an age, a number, a date); names and places are fuzzier
STRONG_KINDS = frozenset({"age", "number", "date"})

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
            from index.models.lexical import Analyzer

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


def corpus_has(idf: Callable[[str], float]) -> Callable[[str], bool]:
    """Whether a stemmed term occurs in the index: its IDF is under that of a term in no chunk."""
    never = idf("\uffff never indexed \uffff")
    return lambda term: idf(term) < never - 1e-9


def unknown_entity_share(question: str, idf: Callable[[str], float]) -> float:
    """Share of the names in the question (capitalized words after the first) that no indexed
    text contains: "who wrote Pride and Prejudice?" over a news story → 1.0."""
    global _analyzer
    names = [m.group(0) for m in _NAME.finditer(question.strip())]
    if not names:
        return 0.0
    if _analyzer is None:
        from index.models.lexical import Analyzer

        _analyzer = Analyzer()
    terms = {t for n in names for t in _analyzer.terms(n)}
    if not terms:
        return 0.0
    in_corpus = corpus_has(idf)
    return sum(1 for t in terms if not in_corpus(t)) / len(terms)


_QUESTION_START = re.compile(
    r"^\s*(?:who|whom|whose|what|which|when|where|why|how|whats|hows|wheres|whos|whys|"  # "whats the …" typed fast
    r"is|are|was|were|do|does|did|can|could|should|"
    r"would|will|has|have|had|name|list|in which|in what|on which|on what|at which|at what|to whom|for what)\b",
    re.I,
)


def is_question(text: str) -> bool:
    """A question (ends with "?" or opens like one), not a claim or a bag of keywords."""
    t = text.strip()
    return t.endswith("?") or bool(_QUESTION_START.search(t))


# -- code questions ----------------------------------------------------------------------------------

# "example of …", "snippet to …", "show me …", "code pls": the question asks for code
_CODE_ASK = re.compile(
    r"\bexamples?\b(?!\.[a-z])|\bsnippets?\b|\bsample\b|\bshow (?:me|us)\b|\b(?:someone|somebody|anyone|you) show\b|"
    r"\bhow (?:do|can|would|should) (?:i|you|we) (?:write|code)\b|\bcode\b",
    re.I,
)
# "status code", "exit code", "any code", "renders as code" … are not asks for code
_NOT_CODE_ASK = re.compile(
    r"\b(?:status|error|exit|http|response|return|country|zip|postal|source|my|our|your|their|his|her|this|"
    r"any|async|sync|own|as)\s+$", re.I
)
# "a code block", "code spans", "code highlighting": the docs' markup for code, not an ask for it
_CODE_MARKUP = re.compile(r"\s+(?:blocks?|spans?|fences?|highlight\w*)\b", re.I)
# identifiers as people type them: `inline code`, dotted names (httpx.get, response.ok), calls (Client(),
# keyword arguments (json=), snake_case and CamelCase names
_IDENTIFIER = re.compile(
    r"`([^`\n]+)`|"
    r"\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)\b|"
    r"\b([A-Za-z_]\w*)\(|"
    r"\b([A-Za-z_]\w*)=|"
    r"\b([a-z][a-z0-9]*(?:_[a-z0-9]+)+)\b|"
    r"\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\b"
)


def wants_code(question: str) -> float:
    """1.0 when the question asks for code ("example of", "snippet", "show me", "code pls")."""
    if asks_action(question):
        return 1.0
    for m in _CODE_ASK.finditer(question):
        if m.group(0).lower() == "code" and (_NOT_CODE_ASK.search(question[: m.start()])
                                             or _CODE_MARKUP.match(question, m.end())):
            continue
        return 1.0
    return 0.0


_NOT_IDENTIFIERS = frozenset({"e.g", "i.e", "etc", "vs", "a.k.a"})


def code_identifiers(question: str) -> list[str]:
    """The code identifiers a question names, as they would appear in code: ``httpx.get``, ``Client(``,
    ``json=``, ``max_connections``, ``AsyncClient``, anything in backticks (unique, in order)."""
    found: dict[str, None] = {}
    for m in _IDENTIFIER.finditer(question):
        text = next(g for g in m.groups() if g).strip()
        if m.group(3) or m.group(4):  # a call or a keyword argument: matched with its "(" or "="
            text = m.group(0)
        if len(text) >= 2 and text.lower() not in _NOT_IDENTIFIERS:
            found[text] = None
        if m.group(1):  # `async with httpx.AsyncClient()`: the names inside count on their own too
            found.update(dict.fromkeys(code_identifiers(m.group(1).replace("`", " "))))
    return list(found)


_SUBWORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def identifier_words(text: str) -> set[str]:
    """The lower-case words inside the identifiers of a text: ``ProxyRoundRobin`` → proxy, round, robin;
    ``event_hooks`` → event, hooks; ``httpx.Timeout`` → httpx, timeout (for code units)."""
    return {w.lower() for w in _SUBWORD.findall(text) if len(w) >= 2}


# -- versions and changes ------------------------------------------------------------------------------

_VERSION_ASK = re.compile(
    r"\bversions?\b|\breleases?d?\b|\bchange ?log\b|\bchanges?\b|\bchanged\b|\bdeprecat\w*|\bremoved\b|"
    r"\bintroduced\b|\badded in\b|\bsince (?:when|which|what)\b|\bupgrad\w*|\bmigrat\w*|\bbreaking\b|"
    r"\bwhat'?s new\b|\bnews\b|\bhistory\b|\bbackwards?[- ]compat\w*|"
    r"\bv?\d+\.\d+(?:\.\d+)*\b",
    re.I,
)


def asks_about_versions(question: str) -> bool:
    """The question is about versions or changes ("since which version", "what changed in 0.28",
    "is X deprecated"): then changelogs and release notes are where the answer is."""
    return bool(_VERSION_ASK.search(question))


# -- why questions ------------------------------------------------------------------------------------

_WHY = re.compile(r"\bwhy\b|\bwhat(?:'s| is) the (?:reason|point)\b|\bhow come\b|\bwhat for\b", re.I)
_REASON = re.compile(
    r"\b(?:because|since|so that|in order to|otherwise|due to|as a result|which means|this means|that way|"
    r"for this reason|the reason|to avoid|to prevent|to ensure|would|could lead|leads? to|results? in|"
    r"causes?|caused|helps?|allows?|ensures?|prevents?|instead|rather than|unless|if you don't|failing to)\b",
    re.I,
)


def asks_why(question: str) -> bool:
    """A why question ("why does…", "what's the reason…", "how come…"): its answer is a reason."""
    return bool(_WHY.search(question))


# "how do I …", "can I …", "is there a way to …": the question asks what to do (code may be the answer);
# "how many / how long / how come" ask for something else
_HOW = re.compile(
    r"\bhow\b(?!\s+(?:many|much|old|long|often|big|large|far|fast|come)\b)|\bhow-?to\b|"
    r"\b(?:can|could|should) (?:i|we|you|one)\b|\b(?:a|any|the|best|right|easy|simple) ways? (?:to|of)\b|"
    r"\bis there (?:a|an|any)\b",
    re.I,
)


def asks_how(question: str) -> bool:
    """A question about what to do ("how do I…", "can I…", "is there a way to…"), not a why question."""
    return bool(_HOW.search(question)) and not asks_why(question)


# an imperative that says what to do with the tool, as people type in chat: "check for breaking changes
# against my 1.0 release", "test client: post json to my api and read json back", "load my package as it
# was at git tag 2.1 from python" — the opening verb (after an optional "topic:" prefix) is a base-form
# action verb (not one read as a noun first: "log lines …", "list of …", "return value …"); most such asks
# are answered by a command or a call, not by prose
_ACTION_VERBS = (
    r"add|build|call|catch|change|check|clear|close|compare|configure|convert|create|decode|delete|disable|"
    r"download|dump|enable|encode|export|fetch|generate|get|import|keep|load|make|mount|open|parse|"
    r"pass|post|print|read|redirect|register|remove|rename|render|replace|reset|rotate|run|"
    r"save|send|serialize|serve|set|start|stop|switch|turn|upload|use|validate|write"
)
# … followed by what makes it a noun or a statement: "set of rules", "use case", "check is slow"
_NOT_ACTION = r"(?!\s+(?:of|case|is|are|was|were|does|do|did|has|have)\b)"
_ACTION_ASK = re.compile(
    rf"^\s*(?:[\w .'-]{{1,40}}:\s+)?(?:{_ACTION_VERBS})\b{_NOT_ACTION}|"
    r"\b(?:command|cli|script) (?:to|for|that)\b|\b(?:from|in) python\b|\bprogrammatically\b",
    re.I,
)


def asks_action(question: str) -> bool:
    """An imperative ask naming a tool action ("check for breaking changes against my 1.0 release",
    "post json with the test client"), "command to …", "… from python": what to type or call."""
    return bool(_ACTION_ASK.search(question)) and not asks_why(question)


def code_unasked(question: str) -> float:
    """1.0 when neither the question asks for code nor what to do: a why, what, which or yes/no
    question, whose answer is prose (a code block there is an example or the error, not the answer)."""
    return 0.0 if wants_code(question) or asks_how(question) else 1.0


def gives_reason(sentence: str) -> float:
    """1.0 when the sentence states a reason or a consequence ("because…", "so that…", "otherwise…")."""
    return 1.0 if _REASON.search(sentence) else 0.0


# -- defaults -----------------------------------------------------------------------------------------

# "what's the default …", "… by default?", "if I don't set one", "out of the box": the question asks
# what happens when nothing is configured; "why isn't X on by default" (a reason) and "how do I set a
# default header" (what to do) do not
_DEFAULT_ASK = re.compile(
    r"\bdefaults?\b|\bout of the box\b|"
    r"\b(?:if|when|unless) (?:i|you|we) (?:don'?t|do not|never|didn'?t) "
    r"(?:set|pass|give|specify|write|provide|configure|choose|call|use|add|enable)\b|"
    r"\bwithout (?:setting|passing|specifying|configuring|calling)\b|"
    # "do I have to enable the X extension", "do I need to turn on …": is it on already?
    r"\b(?:do|does|must) (?:i|you|we|one) (?:have|need) to (?:enable|turn on|activate|switch on)\b|"
    # "are aliases resolved automatically?": a yes/no question about what happens on its own
    r"^\s*(?:is|are|does|do|will)\b[^?]*\bautomatic(?:ally)?\b",
    re.I,
)
# the sentence speaks of a default ("defaults to", "the default is", "by default", "(Default 100)",
# ``DEFAULT_CA_BUNDLE_PATH``)
_STATES_DEFAULT = re.compile(r"default", re.I)


def asks_default(question: str) -> bool:
    """The question asks for a default value or behaviour, neither why nor what to do."""
    return bool(_DEFAULT_ASK.search(question)) and not asks_why(question) and not asks_how(question)


def states_default(sentence: str) -> bool:
    """The sentence speaks of a default (``_STATES_DEFAULT``)."""
    return bool(_STATES_DEFAULT.search(sentence))


# the sentence says what the default *is* ("… by default", "defaults to `-`", "The default is 500kB.",
# "Default: `language-`.", "`xhtml` (the default)", "`stat` is the default", "The default behavior is to
# raise … after 5 seconds"), not only that there is
# one ("the default bound logger class", "affect the default for all requests")
_NAMES_DEFAULT = re.compile(
    r"\bby default\b|\bdefaults? (?:to|is|was)\b|\bthe default(?: [\w-]+){0,2} (?:is|was|are)\b|"
    r"\bdefault(?: value)?:|\(default\b|\(the default\)|\bis the default\b|\bare the defaults\b|"
    r"\bdefault(?:s|ing)? (?:setting|value) (?:is|of)\b|\benabled by default\b",
    re.I,
)


def names_default(sentence: str) -> bool:
    """The sentence says what the default is (``_NAMES_DEFAULT``), stricter than ``states_default``."""
    return bool(_NAMES_DEFAULT.search(sentence))


def sets_identifier(line: str, identifiers: list[str] | tuple[str, ...]) -> bool:
    """A code line that gives one of the identifiers (``code_identifiers``) a value: ``name=value``,
    ``name = value``, ``"name": value``, ``name: value`` (not ``name == value``)."""
    return any(re.search(rf"(?<![\w.]){re.escape(ident.rstrip('(='))}['\"]?\s*[=:](?!=)", line) for ident in identifiers)


def holds_identifier(text: str, identifiers: list[str] | tuple[str, ...]) -> bool:
    """The text holds one of the identifiers (``code_identifiers``) as spelled, a call's "(" or a keyword
    argument's "=" left off (``JustHTML`` is the class, ``justhtml`` the command)."""
    return any(ident.rstrip("(=") in text for ident in identifiers)
