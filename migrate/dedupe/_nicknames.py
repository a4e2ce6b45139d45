"""Short forms of given names → the full name: «Саша» meets «Александр», Bob meets Robert."""

from __future__ import annotations

__all__ = ["canonical_token", "known_given_names"]

_FULL_TO_SHORT = {
    "александр": "саша шура саня алекс", "алексей": "леша алеша леха",
    "анастасия": "настя", "анатолий": "толя", "анна": "аня", "андрей": "андрюша",
    "валентина": "валя", "виктор": "витя", "виктория": "вика", "владимир": "вова володя",
    "вячеслав": "слава", "галина": "галя", "григорий": "гриша", "дмитрий": "дима",
    "евгений": "женя",
"екатерина": "катя", "елена": "лена", "иван": "ваня", "ирина": "ира",
    "константин": "костя", "любовь": "люба", "мария": "маша", "михаил": "миша",
    "надежда": "надя", "наталья": "наташа", "наталия": "наташа", "николай": "коля",
    "ольга": "оля", "павел": "паша", "петр": "петя", "сергей": "сережа", "светлана": "света",
    "станислав": "стас", "татьяна": "таня", "юрий": "юра",
    "alexander": "alex", "andrew": "andy drew", "anthony": "tony", "benjamin": "ben",
    "catherine": "kate cathy", "charles": "charlie chuck", "christopher": "chris",
    "daniel": "dan danny", "david": "dave", "edward": "ed eddie ted", "elizabeth": "liz beth betty",
    "frederick": "fred", "gregory": "greg", "james": "jim jimmy", "jennifer": "jen jenny",
    "john": "jack johnny", "joseph": "joe", "katherine": "katie kathy", "lawrence": "larry",
    "margaret": "maggie peggy meg", "matthew": "matt", "michael": "mike mick", "nicholas": "nick",
    "patricia": "pat patty trish", "richard": "rick dick", "robert": "bob rob bobby robbie",
    "samuel": "sam", "stephen": "steve", "steven": "steve", "susan": "sue susie",
    "thomas": "tom tommy", "timothy": "tim", "william": "bill will billy", "zachary": "zach",
}  # fmt: skip
_SHORT_TO_FULL = {
    short: full for full, shorts in _FULL_TO_SHORT.items() for short in shorts.split()
}


def _latin_forms() -> dict[str, str]:
    from migrate.dedupe._normalise import translit_key

    return {translit_key(short): translit_key(full) for short, full in _SHORT_TO_FULL.items()
            if not short.isascii()}  # fmt: skip


_SHORT_TO_FULL.update({k: v for k, v in _latin_forms().items() if k not in _SHORT_TO_FULL})


def canonical_token(token: str) -> str:
    """The full given name for a known short form (lower case in, lower case out)."""
    return _SHORT_TO_FULL.get(token, token)


def known_given_names() -> set[str]:
    """Every full and short given name the table knows."""
    return set(_FULL_TO_SHORT) | set(_SHORT_TO_FULL)
