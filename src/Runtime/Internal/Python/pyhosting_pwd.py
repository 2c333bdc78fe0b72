"""pwd as the managed backend provides it.

The database holds root and the runtime's own user (os.getuid()), whose home is HOME of the runtime's environment when
it started (or its initial working directory). The host's user database is never read.
"""

_FIELDS = ("pw_name", "pw_passwd", "pw_uid", "pw_gid", "pw_gecos", "pw_dir", "pw_shell")


class struct_passwd(tuple):
    """pwd.struct_passwd: Results from getpw*() routines.

    This object may be accessed either as a tuple of
      (pw_name,pw_passwd,pw_uid,pw_gid,pw_gecos,pw_dir,pw_shell)
    or via the object attributes as named in the above tuple."""

    __slots__ = ()
    n_fields = n_sequence_fields = len(_FIELDS)
    n_unnamed_fields = 0
    __match_args__ = _FIELDS

    def __new__(cls, sequence, dict=None):
        sequence = tuple(sequence)
        if len(sequence) != len(_FIELDS):
            raise TypeError("pwd.struct_passwd() takes a %d-sequence (%d-sequence given)" % (len(_FIELDS), len(sequence)))
        return tuple.__new__(cls, sequence)

    def __repr__(self):
        return "pwd.struct_passwd(%s)" % ", ".join("%s=%r" % pair for pair in zip(_FIELDS, self))

    def __reduce__(self):
        return (struct_passwd, (tuple(self),))


def _field(index):
    return property(lambda self: tuple.__getitem__(self, index))


for _index, _name in enumerate(_FIELDS):
    setattr(struct_passwd, _name, _field(_index))
struct_passwd.__module__ = "pwd"
del _index, _name, _field

_ENTRIES = tuple(struct_passwd(entry) for entry in _note())
del _note


def _index(value, what):
    if isinstance(value, float):
        raise TypeError("'float' object cannot be interpreted as an integer")
    return value.__index__() if hasattr(type(value), "__index__") else _type_error(value, what)


def _type_error(value, what):
    raise TypeError("%s must be an integer, not %s" % (what, type(value).__name__))


def getpwuid(uid, /):
    """Return the password database entry for the given numeric user ID.

    See `help(pwd)` for more on password database entries."""
    uid = _index(uid, "uid")
    for entry in _ENTRIES:
        if entry.pw_uid == uid:
            return entry
    raise KeyError("getpwuid(): uid not found: %d" % uid)


def getpwnam(name, /):
    """Return the password database entry for the given user name.

    See `help(pwd)` for more on password database entries."""
    if not isinstance(name, str):
        raise TypeError("getpwnam() argument must be str, not %s" % type(name).__name__)
    if "\0" in name:
        raise ValueError("embedded null character")
    for entry in _ENTRIES:
        if entry.pw_name == name:
            return entry
    raise KeyError("getpwnam(): name not found: %r" % name)


def getpwall():
    """Return a list of all available password database entries, in arbitrary order.

    See help(pwd) for more on password database entries."""
    return list(_ENTRIES)
