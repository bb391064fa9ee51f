"""Questionnaire wording shown to the public where the instrument ships none.

STarT Back item wording. Source: reference clinical.md §4 (items 5-9 quoted
from the Keele STarT Back Screening Tool; items 1-4 as summarised there),
Hill JC et al. Arthritis Rheum 2008;59:632-41. © Keele University; free for
clinical use; commercial terms unverified [U]. A clinic with other licensed
wording replaces this table (docs/decisions.md, "STarT Back wording").
"""

STARTBACK_COPYRIGHT = "STarT Back Screening Tool © Keele University 2007."

STARTBACK_WORDING: tuple[str, ...] = (
    "My back pain has spread down my leg(s) at some time in the last 2 weeks.",
    "I have had pain in the shoulder or neck at some time in the last 2 weeks.",
    "I have only walked short distances because of my back pain.",
    "In the last 2 weeks, I have dressed more slowly than usual because of back pain.",
    "It's not really safe for a person with a condition like mine to be physically active.",
    "Worrying thoughts have been going through my mind a lot of the time.",
    "I feel that my back pain is terrible and it's never going to get any better.",
    "In general I have not enjoyed all the things I used to enjoy.",
    "Overall, how bothersome has your back pain been in the last 2 weeks?",
)
