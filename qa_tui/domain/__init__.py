"""Pure rules of an evaluation: lifecycle, grades, scaling, completion, actions, concerns."""
