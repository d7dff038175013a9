"""Everything okrctl changes in a workspace on disk: the side effects.

One module per use case -- :mod:`.checkin` (``checkin``, ``measure``), :mod:`.scaffold`
(``init``, from the package data in ``templates/``), :mod:`.period_new` (``period new``),
:mod:`.close` (``close``, ``verify``) -- on top of what they share: :mod:`.workspace`
(loading with new bytes overlaid, refusing what would not validate), :mod:`.inputs`
(parsing what the user typed), :mod:`.errors`; :mod:`.yamledit` computes the new bytes of an
edited YAML file without reformatting it, and :mod:`.fsio` puts bytes on disk (atomic
replace, exclusive create, the sidecar lock).

Library package: no typer, no rich.
"""
