"""Nouns and rules of WorkSpaces, in pure Python: no I/O and nothing else of Understudy's."""
