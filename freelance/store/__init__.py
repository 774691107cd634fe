"""The storage wing: book files on disk and nothing of the business.

records (the record model), scalars and yamlio (reading, YAML 1.2 meaning, exact
decimals), fastread (rapidyaml when it reads the same), cache (per-file parse cache),
parallel (a cold book parsed on every core), book (files, lock, peeking), style (the
canonical YAML style), splice (one record's lines re-written), readback (checks before a
write), writer (plans and `apply`), atomic (the one atomic replace), emitter (fast
canonical text for generated books), staged (the book as git's index has it).

Imports only the ground floor: schema, settings, errors, money, rules.
"""
