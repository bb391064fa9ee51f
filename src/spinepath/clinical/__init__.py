"""Pure clinical knowledge: scores, tables, factors and rules, each with its source.

Nothing in this package imports Django or touches a database; every other
part of spinepath calls into it. See docs/instruments.md and
docs/clinical-safety.md.
"""
