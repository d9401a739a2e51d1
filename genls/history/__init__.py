"""Documentation from the git history (knows nothing of LSP).

commits.py        streams commits from `git log`, tags as versions, shallow clones, encodings
conventional.py   the exact Conventional Commits 1.0 parser and issue/PR references
classify.py       the model path: free-form messages -> kind and one line, checked strictly
api_changes.py    breaking changes from the code: public symbols at two refs (tree-sitter)
changelog.py      grouping, markdown/JSON, merging into CHANGELOG.md, atomic writes
symbol_history.py the commits that touched a symbol's lines, and a summary citing them
commit_message.py a Conventional Commits message for the staged diff
"""
