"""The rules of editing a published need once suppliers have answered it: answers are
never orphaned, and a promised deadline is never taken back."""


from marketplace.errors import DomainError
from marketplace.needs import hooks
from marketplace.needs.models import Need


def same_minute(one, other) -> bool:
    """Whether two date-times fall in the same minute (a form shows minutes only)."""
    return one is not None and other is not None and one.replace(second=0, microsecond=0) == \
        other.replace(second=0, microsecond=0)


def _answered_question_ids(need: Need) -> set[int]:
    ids = [question.id for question in need.questions if question.id]
    return hooks.answered_question_ids(ids) if ids else set()


def keep_answered_questions(need: Need, texts: list[str]) -> None:
    """A question that offers have answered stays, worded as it was answered: removing
    or rewording it would orphan or change the meaning of those answers."""
    answered = _answered_question_ids(need)
    for question in need.questions:
        if question.id in answered and (question.position > len(texts) or texts[question.position - 1] !=
                                        question.text):
            raise DomainError(f"La question {question.position} (« {question.text[:60]} ») a déjà reçu des "
                              "réponses : elle ne peut être ni retirée ni reformulée. Vous pouvez ajouter des "
                              "questions après les autres.", "questions")


def keep_deadline_fair(need: Need, deadline) -> None:
    """Once an offer is in, the deadline may move later, never earlier: those who answered
    must not lose time they were promised, after the buyer has seen prices."""
    if need.deadline is None or deadline is None or deadline >= need.deadline:
        return
    if hooks.has_live_offers(need):
        raise DomainError("Des offres ont déjà été remises : la date limite peut être reportée, pas avancée.",
                          "deadline")
