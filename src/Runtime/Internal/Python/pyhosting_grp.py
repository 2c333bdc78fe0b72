"""grp as the managed backend provides it.

The database holds root's group and the runtime's own group (os.getgid()); the host's group database is never read.
"""

_FIELDS = ("gr_name", "gr_passwd", "gr_gid", "gr_mem")


class struct_group(tuple):
    """grp.struct_group: Results from getgr*() routines.

    This object may be accessed either as a tuple of
      (gr_name,gr_passwd,gr_gid,gr_mem)
    or via the object attributes as named in the above tuple."""

    __slots__ = ()
    n_fields = n_sequence_fields = len(_FIELDS)
    n_unnamed_fields = 0
    __match_args__ = _FIELDS

    def __new__(cls, sequence, dict=None):
        sequence = tuple(sequence)
        if len(sequence) != len(_FIELDS):
            raise TypeError("grp.struct_group() takes a %d-sequence (%d-sequence given)" % (len(_FIELDS), len(sequence)))
        return tuple.__new__(cls, sequence)

    def __repr__(self):
        return "grp.struct_group(%s)" % ", ".join("%s=%r" % pair for pair in zip(_FIELDS, self))

    def __reduce__(self):
        return (struct_group, (tuple(self),))


def _field(index):
    return property(lambda self: tuple.__getitem__(self, index))


for _index, _name in enumerate(_FIELDS):
    setattr(struct_group, _name, _field(_index))
struct_group.__module__ = "grp"
del _index, _name, _field

_ENTRIES = tuple((name, password, gid, tuple(members)) for name, password, gid, members in _note())
del _note


def _entry(fields):
    # A fresh member list each time, as the C module builds one per call.
    name, password, gid, members = fields
    return struct_group((name, password, gid, list(members)))


def getgrgid(id):
    """Return the group database entry for the given numeric group ID.

    If id is not valid, raise KeyError."""
    if isinstance(id, float):
        raise TypeError("'float' object cannot be interpreted as an integer")
    if not hasattr(type(id), "__index__"):
        raise TypeError("group id must be an integer, not %s" % type(id).__name__)
    gid = id.__index__()
    for fields in _ENTRIES:
        if fields[2] == gid:
            return _entry(fields)
    raise KeyError("getgrgid(): gid not found: %d" % gid)


def getgrnam(name):
    """Return the group database entry for the given group name.

    If name is not valid, raise KeyError."""
    if not isinstance(name, str):
        raise TypeError("getgrnam() argument must be str, not %s" % type(name).__name__)
    if "\0" in name:
        raise ValueError("embedded null character")
    for fields in _ENTRIES:
        if fields[0] == name:
            return _entry(fields)
    raise KeyError("getgrnam(): name not found: %r" % name)


def getgrall():
    """Return a list of all available group entries, in arbitrary order.

    An entry whose name starts with '+' or '-' represents an instruction
    to use YP/NIS and may not be accessible via getgrnam or getgrgid."""
    return [_entry(fields) for fields in _ENTRIES]
