"""The rules of an evaluation: lifecycle, grades, scaling, completion, actions, concerns.

Not pure functions: each operation is a function of ``(session, actor, …)`` that checks its
input against the template and the vocabulary, then records its changes through
:mod:`qa_tui.store.history` in the caller's transaction. Reads of a whole evaluation come from
the store (:mod:`qa_tui.store.views`); the rules that only look at one
(:mod:`qa_tui.domain.completion`, :mod:`qa_tui.domain.notice`) take it as an argument.
"""
