# family: 23
# expect: MemoryError
# Allocations of a terabyte end in MemoryError.
for make in (lambda: 'a' * (1 << 40), lambda: [0] * (1 << 40), lambda: b'x' * (1 << 62)):
    try:
        make()
        raise AssertionError('allocated')
    except MemoryError:
        pass
bytearray(1 << 40)
