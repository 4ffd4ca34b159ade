"""Earlier versions of the built-in templates, byte for byte as they shipped.

Evaluations made with them keep opening (their content hash matches); they are never offered
for new evaluations. Their header comments are history: the current versions beside this
folder say truthfully where each of their words comes from.
"""
