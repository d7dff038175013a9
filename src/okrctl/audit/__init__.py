"""The audit trail: what changed between two revisions and whether the rules allow
it (``diff``, ``check``), every change to an item across commits (``history``), and
who must review which file (``codeowners``).

The only layer besides ``write`` that combines reading (``read``, ``gitio``) with the
pure computations of ``engine``: it loads revisions through :mod:`okrctl.gitio` and
judges them with :mod:`okrctl.engine.diff` and :mod:`okrctl.engine.rules`.
"""
