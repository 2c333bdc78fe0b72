# family: 28
# expect: TypeError
# The managed FileIO's C methods, slots and attributes, taken from the type and called on objects that are not
# FileIO instances (including other raw streams and the original, refused FileIO type): each is a TypeError.
import io, _io
original = next(c for c in _io._RawIOBase.__subclasses__() if c.__module__ == '_io' and c.__name__ == 'FileIO')
victims = [io.BytesIO(b'secret'), object(), 3, original, io.FileIO, type('Raw', (_io._RawIOBase,), {})()]
names = ['read', 'readall', 'readinto', 'write', 'seek', 'tell', 'truncate', 'close', 'fileno', 'isatty',
         'readable', 'writable', 'seekable', '_dealloc_warn', '__getstate__', '__init__', '__repr__']
for name in names:
    method = vars(io.FileIO)[name]
    for victim in victims:
        try:
            method(victim, bytearray(4)) if name in ('readinto', 'write', '_dealloc_warn') else method(victim)
        except TypeError:
            continue
        raise AssertionError('%s ran on %r' % (name, victim))
for name in ('closed', 'mode', 'closefd', '_blksize'):
    for victim in victims:
        try:
            vars(io.FileIO)[name].__get__(victim, type(victim))
        except TypeError:
            continue
        raise AssertionError('%s read from %r' % (name, victim))
vars(io.FileIO)['read'](io.BytesIO(b'secret'))
