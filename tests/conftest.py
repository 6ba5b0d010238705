"""The test folders: engine (the generic engine, on tests/fixtures/book), data (the data package
loader and cross-checks), report (facts, claims, figures, tables, prose lint), book (the real
report built end to end), publish (browser, PDF, Word) and fault (hostile input, limits,
processes, fuzzing). Each folder's conftest.py holds its fixtures; helpers every folder uses are
imported from `helpers`, `book_fixtures`, `data_support` and `edition_support` in this folder.
"""
