"""Edit a user's YAML file without losing or reformatting a byte of it.

This is okrctl's only edit path for user data (``okrctl checkin`` appends a check-in to a
period file, ``okrctl close`` adds a period to ``policy.locked_periods`` of ``okrctl.yaml``).
Two engines make the same two edits (append a mapping to a list, add a scalar to a list)
and return the new bytes; neither writes to disk (that is :mod:`okrctl.write.fsio`):

* :mod:`.roundtrip` -- :func:`append_item`, :func:`add_to_list`: a ruamel.yaml round trip,
  for files a no-op round trip reproduces byte for byte (:func:`round_trips`);
* :mod:`.splice` -- :func:`splice_item`, :func:`splice_to_list`: for files whose formatting
  that round trip would change (a flow mapping continued on a second line, values aligned
  in columns), only the new lines are rendered and inserted into the original text.

Both keep the file's BOM, line endings and indentation (:mod:`.style`), render values with
the same quoting rules (:mod:`.emit`, which also writes new documents:
:func:`dump_document`), and pass the same verification (:mod:`.verify`): only lines added,
every comment kept, re-read = old data + the new item.  Anything that does not pass raises
:class:`~okrctl.write.errors.WriteRefused`.

Library package: no CLI or terminal imports.
"""

from okrctl.write.errors import WriteRefused
from okrctl.write.yamledit.emit import dump_document, needs_quotes
from okrctl.write.yamledit.roundtrip import add_to_list, append_item, round_trips
from okrctl.write.yamledit.splice import splice_item, splice_to_list

__all__ = [
    "WriteRefused",
    "add_to_list",
    "append_item",
    "dump_document",
    "needs_quotes",
    "round_trips",
    "splice_item",
    "splice_to_list",
]
